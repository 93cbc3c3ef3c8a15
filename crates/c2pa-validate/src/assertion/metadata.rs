//! The `c2pa.metadata` allowed list (C2PA 2.2 §15.10.3.2.3, Appendix B): every top-level field
//! of the JSON-LD object must be a property of a completely supported schema (B.1) or one of
//! the listed properties of a partially supported schema (B.2). Custom `<entity>.metadata`
//! assertions may hold anything and are not checked.
//!
//! Fields are compared by namespace, not by prefix: `exif:FNumber` is allowed because `@context`
//! maps `exif` to `http://ns.adobe.com/exif/1.0/`; a prefix the context does not define, a
//! remote context (not fetched), or a term that does not expand to an allowed IRI is
//! disallowed. JSON-LD keywords (`@context`, `@id`, `@type`, ...) are not fields. For ExifEx the
//! namespace of Table 16 (`http://cipa.jp/exif/1.0/exifEX`), CIPA's own
//! (`http://cipa.jp/exif/1.0/`) and Example 15's (`http://cipa.jp/exif/2.32/`) are all read as
//! ExifEx, since the specification uses each.

use serde_json::{Map, Value};

/// Schemas supported in full (Table 15).
const COMPLETE: [&str; 5] = [
    "http://ns.adobe.com/xap/1.0/",
    "http://ns.adobe.com/xap/1.0/mm/",
    "http://ns.adobe.com/xap/1.0/t/pg/",
    "http://ns.adobe.com/camera-raw-settings/1.0/",
    "http://ns.adobe.com/pdf/1.3/",
];

const DC: &[&str] = &[
    "coverage",
    "date",
    "format",
    "identifier",
    "language",
    "relation",
    "type",
];
const IPTC_CORE: &[&str] = &["Scene"];
const IPTC_EXT: &[&str] = &[
    "DigImageGUID",
    "DigitalSourceType",
    "EventId",
    "Genre",
    "ImageRating",
    "ImageRegion",
    "RegistryId",
    "LocationCreated",
    "LocationShown",
    "MaxAvailHeight",
    "MaxAvailWidth",
];
const EXIF: &[&str] = &[
    "ApertureValue",
    "BrightnessValue",
    "CFAPattern",
    "ColorSpace",
    "CompressedBitsPerPixel",
    "Contrast",
    "CustomRendered",
    "DateTimeDigitized",
    "DateTimeOriginal",
    "DeviceSettingDescription",
    "DigitalZoomRatio",
    "ExifVersion",
    "ExposureBiasValue",
    "ExposureIndex",
    "ExposureMode",
    "ExposureProgram",
    "ExposureTime",
    "FileSource",
    "Flash",
    "FlashEnergy",
    "FlashpixVersion",
    "FNumber",
    "FocalLength",
    "FocalLengthIn35mmFilm",
    "FocalPlaneResolutionUnit",
    "FocalPlaneXResolution",
    "FocalPlaneYResolution",
    "GainControl",
    "ImageUniqueID",
    "ISOSpeedRatings",
    "LightSource",
    "MaxApertureValue",
    "MeteringMode",
    "OECF",
    "OffsetTimeOriginal",
    "PixelXDimension",
    "PixelYDimension",
    "RelatedSoundFile",
    "Saturation",
    "SceneCaptureType",
    "SceneType",
    "SensingMethod",
    "Sharpness",
    "ShutterSpeedValue",
    "SpatialFrequencyResponse",
    "SpectralSensitivity",
    "SubjectArea",
    "SubjectDistance",
    "SubjectDistanceRange",
    "SubjectLocation",
    "WhiteBalance",
    "GPSAltitude",
    "GPSAltitudeRef",
    "GPSDateStamp",
    "GPSDestBearing",
    "GPSDestBearingRef",
    "GPSDestDistance",
    "GPSDestDistanceRef",
    "GPSDestLatitude",
    "GPSDestLongitude",
    "GPSDifferential",
    "GPSDOP",
    "GPSHPositioningError",
    "GPSImgDirection",
    "GPSImgDirectionRef",
    "GPSLatitude",
    "GPSLongitude",
    "GPSMapDatum",
    "GPSMeasureMode",
    "GPSProcessingMethod",
    "GPSSatellites",
    "GPSSpeed",
    "GPSSpeedRef",
    "GPSStatus",
    "GPSTimeStamp",
    "GPSTrack",
    "GPSTrackRef",
    "GPSVersionID",
];
const EXIF_EX: &[&str] = &[
    "BodySerialNumber",
    "Gamma",
    "InteroperabilityIndex",
    "ISOSpeed",
    "ISOSpeedLatitudeyyy",
    "ISOSpeedLatitudezzz",
    "LensMake",
    "LensModel",
    "LensSerialNumber",
    "LensSpecification",
    "PhotographicSensitivity",
    "RecommendedExposureIndex",
    "SensitivityType",
    "StandardOutput-Sensitivity",
];
const PHOTOSHOP: &[&str] = &[
    "Category",
    "City",
    "ColorMode",
    "Country",
    "DateCreated",
    "DocumentAncestors",
    "History",
    "ICCProfile",
    "State",
    "SupplementalCategories",
    "TextLayers",
    "TransmissionReference",
    "Urgency",
];
const TIFF: &[&str] = &[
    "BitsPerSample",
    "Compression",
    "DateTime",
    "ImageLength",
    "ImageWidth",
    "Make",
    "Model",
    "Orientation",
    "PhotometricInterpretation",
    "PlanarConfiguration",
    "PrimaryChromaticities",
    "ReferenceBlackWhite",
    "ResolutionUnit",
    "SamplesPerPixel",
    "Software",
    "TransferFunction",
    "WhitePoint",
    "XResolution",
    "YResolution",
    "YCbCrCoefficients",
    "YCbCrPositioning",
    "YCbCrSubSampling",
];
const XMP_DM: &[&str] = &[
    "absPeakAudioFilePath",
    "album",
    "altTapeName",
    "altTimecode",
    "audioChannelType",
    "audioCompressor",
    "audioSampleRate",
    "audioSampleType",
    "beatSpliceParams",
    "cameraAngle",
    "cameraLabel",
    "cameraModel",
    "cameraMove",
    "comment",
    "contributedMedia",
    "duration",
    "fileDataRate",
    "genre",
    "good",
    "instrument",
    "introTime",
    "key",
    "logComment",
    "loop",
    "numberOfBeats",
    "markers",
    "outCue",
    "projectName",
    "projectRef",
    "pullDown",
    "relativePeakAudioFilePath",
    "relativeTimestamp",
    "releaseDate",
    "resampleParams",
    "scaleType",
    "scene",
    "shotDate",
    "shotDay",
    "shotLocation",
    "shotName",
    "shotNumber",
    "shotSize",
    "speakerPlacement",
    "startTimecode",
    "stretchMode",
    "takeNumber",
    "tapeName",
    "tempo",
    "timeScaleParams",
    "timeSignature",
    "trackNumber",
    "Tracks",
    "videoAlphaMode",
    "videoAlphaPremultipleColor",
    "videoAlphaUnityIsTransparent",
    "videoColorSpace",
    "videoCompressor",
    "videoFieldOrder",
    "videoFrameRate",
    "videoFrameSize",
    "videoPixelAspectRatio",
    "videoPixelDepth",
    "partOfCompilation",
    "lyrics",
    "discNumber",
];
const PLUS: &[&str] = &[
    "FileNameAsDelivered",
    "FirstPublicationDate",
    "ImageFileFormatAsDelivered",
    "ImageFileSizeAsDelivered",
    "ImageType",
    "Version",
];

/// Schemas supported in part (Table 16), with their properties (B.2.1–B.2.9).
const PARTIAL: [(&str, &[&str]); 12] = [
    ("http://purl.org/dc/elements/1.1/", DC),
    ("http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/", IPTC_CORE),
    ("http://iptc.org/std/Iptc4xmpExt/2008-02-29/", IPTC_EXT),
    ("http://ns.adobe.com/exif/1.0/", EXIF),
    ("http://cipa.jp/exif/1.0/exifEX", EXIF_EX),
    ("http://cipa.jp/exif/1.0/", EXIF_EX),
    ("http://cipa.jp/exif/2.32/", EXIF_EX),
    ("http://ns.adobe.com/photoshop/1.0/", PHOTOSHOP),
    ("http://ns.adobe.com/tiff/1.0/", TIFF),
    ("http://ns.adobe.com/xmp/1.0/DynamicMedia/", XMP_DM),
    ("http://ns.useplus.org/ldf/xmp/1.0/", PLUS),
    // Table 16 lists ExifEx's namespace without the trailing slash of the others.
    ("http://cipa.jp/exif/1.0/exifEX/", EXIF_EX),
];

/// True when the expanded IRI `namespace` + `local` is on the allowed list.
fn allowed(namespace: &str, local: &str) -> bool {
    if local.is_empty() {
        return false;
    }
    COMPLETE.contains(&namespace)
        || PARTIAL
            .iter()
            .any(|(ns, props)| *ns == namespace && props.contains(&local))
}

/// Splits a full IRI into an allowed namespace and local name.
fn allowed_iri(iri: &str) -> bool {
    COMPLETE
        .iter()
        .chain(PARTIAL.iter().map(|(ns, _)| ns))
        .any(|ns| iri.strip_prefix(ns).is_some_and(|local| allowed(ns, local)))
}

/// The IRI a context entry maps a term or prefix to.
fn context_iri<'a>(context: &'a Map<String, Value>, term: &str) -> Option<&'a str> {
    match context.get(term)? {
        Value::String(s) => Some(s),
        Value::Object(def) => def.get("@id").and_then(Value::as_str),
        _ => None,
    }
}

/// The inline `@context` object(s), merged in order (later definitions win, as in JSON-LD).
fn context(object: &Map<String, Value>) -> Map<String, Value> {
    let mut merged = Map::new();
    let mut add = |v: &Value| {
        if let Value::Object(m) = v {
            for (k, v) in m {
                merged.insert(k.clone(), v.clone());
            }
        }
    };
    match object.get("@context") {
        Some(Value::Array(items)) => items.iter().for_each(&mut add),
        Some(v) => add(v),
        None => {}
    }
    merged
}

/// The top-level fields of a `c2pa.metadata` object that are not on the allowed list.
pub(crate) fn disallowed_fields(object: &Map<String, Value>) -> Vec<String> {
    let ctx = context(object);
    object
        .keys()
        .filter(|key| !key.starts_with('@'))
        .filter(|key| {
            let ok = match key.split_once(':') {
                // A full IRI.
                Some((scheme, rest)) if rest.starts_with("//") && !ctx.contains_key(scheme) => {
                    allowed_iri(key)
                }
                // A compact IRI: prefix:local.
                Some((prefix, local)) => {
                    context_iri(&ctx, prefix).is_some_and(|ns| allowed(ns, local))
                }
                // A term defined in the context.
                None => context_iri(&ctx, key).is_some_and(|iri| match iri.split_once(':') {
                    Some((p, l)) if !l.starts_with("//") => {
                        context_iri(&ctx, p).is_some_and(|ns| allowed(ns, l))
                    }
                    _ => allowed_iri(iri),
                }),
            };
            !ok
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests;
