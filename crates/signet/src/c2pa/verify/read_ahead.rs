//! A `Read + Seek` file reader that reads the next block on another thread while the validator
//! hashes the current one: reading from the page cache (a copy) and hashing then overlap, so
//! validating a large asset runs at hashing speed. As a `BufRead`, it hands out its blocks
//! directly (no further copy); blocks are recycled. Memory: a few blocks in flight.
//!
//! A seek is lazy; a read outside the block in hand restarts the reading thread at that offset
//! (blocks carry a generation so stale ones are dropped). Dropping the reader stops the thread.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

/// Size of one block read ahead.
const BLOCK: usize = 1 << 20;
/// Blocks queued ahead of the reader.
const DEPTH: usize = 2;

type Block = (u64, u64, io::Result<Vec<u8>>);

/// The read-ahead reader.
pub(crate) struct ReadAhead {
    len: u64,
    pos: u64,
    generation: u64,
    current: Option<(u64, Vec<u8>)>,
    commands: Option<Sender<(u64, u64)>>,
    blocks: Receiver<Block>,
    /// Consumed blocks go back to the thread for reuse (no allocation per block).
    recycle: Sender<Vec<u8>>,
    thread: Option<JoinHandle<()>>,
}

fn reader_thread(
    mut file: File,
    commands: Receiver<(u64, u64)>,
    blocks: SyncSender<Block>,
    recycled: Receiver<Vec<u8>>,
) {
    let Ok((mut generation, mut offset)) = commands.recv() else {
        return;
    };
    loop {
        // A newer request replaces the current one.
        while let Ok((g, o)) = commands.try_recv() {
            generation = g;
            offset = o;
        }
        let mut buf = recycled.try_recv().unwrap_or_default();
        buf.resize(BLOCK, 0);
        let result = file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| read_full(&mut file, &mut buf))
            .map(|n| {
                buf.truncate(n);
                buf
            });
        let done = matches!(&result, Ok(b) if b.is_empty()) || result.is_err();
        let n = result.as_ref().map_or(0, |b| b.len());
        if blocks.send((generation, offset, result)).is_err() {
            return;
        }
        offset = offset.saturating_add(u64::try_from(n).unwrap_or(0));
        if done {
            match commands.recv() {
                Ok((g, o)) => {
                    generation = g;
                    offset = o;
                }
                Err(_) => return,
            }
        }
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

impl ReadAhead {
    /// Opens a reader over `file`.
    pub(crate) fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        let (command_tx, command_rx) = channel();
        let (block_tx, block_rx) = sync_channel(DEPTH);
        let (recycle_tx, recycle_rx) = channel();
        let thread = std::thread::Builder::new()
            .name("signet-read-ahead".into())
            .spawn(move || reader_thread(file, command_rx, block_tx, recycle_rx))?;
        let mut reader = Self {
            len,
            pos: 0,
            generation: 0,
            current: None,
            commands: Some(command_tx),
            blocks: block_rx,
            recycle: recycle_tx,
            thread: Some(thread),
        };
        reader.restart(0);
        Ok(reader)
    }

    fn restart(&mut self, offset: u64) {
        self.generation = self.generation.wrapping_add(1);
        if let Some(c) = &self.commands {
            // The thread is gone only after an error it already reported.
            let _ = c.send((self.generation, offset));
        }
    }

    /// Makes `current` hold the block containing `pos` (or an empty block at the end).
    fn fill(&mut self) -> io::Result<()> {
        if let Some((start, data)) = &self.current {
            let end = start.saturating_add(u64::try_from(data.len()).unwrap_or(0));
            if *start <= self.pos && self.pos < end {
                return Ok(());
            }
            if self.pos != end {
                self.restart(self.pos);
            }
        } else {
            self.restart(self.pos);
        }
        loop {
            let (generation, start, result) = self
                .blocks
                .recv()
                .map_err(|_| io::Error::other("the read-ahead thread stopped"))?;
            if generation != self.generation {
                continue;
            }
            let data = result?;
            if let Some((_, old)) = self.current.replace((start, data)) {
                // The thread may have stopped; the buffer is then simply dropped.
                let _ = self.recycle.send(old);
            }
            return Ok(());
        }
    }
}

impl Read for ReadAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || self.pos >= self.len {
            return Ok(0);
        }
        self.fill()?;
        let Some((start, data)) = &self.current else {
            return Ok(0);
        };
        let at = usize::try_from(self.pos.saturating_sub(*start)).unwrap_or(usize::MAX);
        let available = data.get(at..).unwrap_or_default();
        let n = available.len().min(buf.len());
        buf.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(available.get(..n).unwrap_or_default());
        self.pos = self.pos.saturating_add(u64::try_from(n).unwrap_or(0));
        Ok(n)
    }
}

impl BufRead for ReadAhead {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.len {
            return Ok(&[]);
        }
        self.fill()?;
        let pos = self.pos;
        Ok(match &self.current {
            Some((start, data)) => {
                let at = usize::try_from(pos.saturating_sub(*start)).unwrap_or(usize::MAX);
                data.get(at..).unwrap_or_default()
            }
            None => &[],
        })
    }

    fn consume(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(u64::try_from(n).unwrap_or(0));
    }
}

impl Seek for ReadAhead {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
        Ok(self.pos)
    }
}

impl Drop for ReadAhead {
    fn drop(&mut self) {
        self.commands = None;
        // Unblock a thread waiting to send, then wait for it.
        while self.blocks.try_recv().is_ok() {}
        if let Some(t) = self.thread.take() {
            drop(std::mem::replace(&mut self.blocks, channel().1));
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests;
