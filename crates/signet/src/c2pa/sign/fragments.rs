//! `signet c2pa sign INIT OUT --fragments F1 F2 ... --fragments-out DIR`: a fragmented MP4
//! split across files (C2PA 2.2 §A.5.4.1.2) through `SplitFragments`, one file open at a time.
//! Every output is staged next to its target; the fragments are renamed once all are written
//! and patched, the init segment (which carries the manifest) last. Inputs are only read.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use signet_c2pa_model::container::Format;
use signet_c2pa_model::generator::bmff::SplitFragments;
use signet_c2pa_model::generator::{Generator, Signed};

use super::{SignArgs, Staged, same_file};

/// Signs `init` (IN) and `args.fragments`.
pub(super) fn sign(
    generator: &Generator<'_>,
    args: &SignArgs,
    format: Format,
    init: &mut std::io::BufReader<File>,
) -> Result<Signed> {
    if format != Format::Bmff {
        bail!("--fragments: IN must be the init segment of a fragmented MP4 (ISO BMFF)");
    }
    if args.sidecar {
        bail!(
            "--fragments: fragment files must carry merkle boxes (C2PA 2.2 §A.5.4.1.2); \
             a sidecar cannot be used"
        );
    }
    let dir = args
        .fragments_out
        .as_ref()
        .context("--fragments needs --fragments-out DIR for the signed fragment files")?;
    if !dir.is_dir() {
        bail!("--fragments-out {}: not a directory", dir.display());
    }
    let mut targets: Vec<PathBuf> = Vec::with_capacity(args.fragments.len());
    for f in &args.fragments {
        let name = f
            .file_name()
            .with_context(|| format!("{}: no file name", f.display()))?;
        let target = dir.join(name);
        if same_file(f, &target) {
            bail!(
                "{}: --fragments-out would overwrite an input fragment",
                f.display()
            );
        }
        if targets.contains(&target) || same_file(&args.output, &target) {
            bail!("{}: two outputs with the same name", target.display());
        }
        targets.push(target);
    }

    let mut split = SplitFragments::new(generator.definition.alg, generator.bmff, generator.limits);
    for f in &args.fragments {
        let mut file = File::open(f).with_context(|| format!("opening {}", f.display()))?;
        split
            .add(&mut file)
            .with_context(|| format!("{}", f.display()))?;
    }
    let mut staged = Vec::with_capacity(targets.len());
    for (i, (f, target)) in args.fragments.iter().zip(&targets).enumerate() {
        let mut input = File::open(f).with_context(|| format!("opening {}", f.display()))?;
        let mut out = Staged::create(target)?;
        split
            .write(i, &mut input, out.file()?)
            .with_context(|| format!("{}", f.display()))?;
        // Closed between passes: thousands of segments must not exhaust file descriptors.
        out.close();
        staged.push(out);
    }
    for (i, out) in staged.iter_mut().enumerate() {
        let (at, bytes) = split.merkle_box(i)?;
        let file = out.file()?;
        file.seek(SeekFrom::Start(at))?;
        file.write_all(&bytes)?;
        out.close();
    }
    let mut init_out = Staged::create(&args.output)?;
    let signed = generator.embed_init(&mut split, init, init_out.file()?)?;
    init_out.file()?.seek(SeekFrom::End(0))?;
    for out in staged {
        out.commit()?;
    }
    init_out.commit()?;
    Ok(signed)
}
