//! The `c2pa.metadata` allowed list against the specification's examples and hostile keys.

use serde_json::{Map, Value, json};

use super::disallowed_fields;

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("test objects are objects"),
    }
}

#[test]
fn example_15_is_allowed() {
    // C2PA 2.2 Example 15 (an image), as printed.
    let v = json!({
        "@context" : {
            "exif": "http://ns.adobe.com/exif/1.0/",
            "exifEX": "http://cipa.jp/exif/2.32/",
            "tiff": "http://ns.adobe.com/tiff/1.0/",
            "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
            "photoshop" : "http://ns.adobe.com/photoshop/1.0/"
        },
        "photoshop:DateCreated": "Aug 31, 2022",
        "Iptc4xmpExt:DigitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
        "exif:GPSVersionID": "2.2.0.0",
        "exif:GPSLatitude": "39,21.102N",
        "exif:GPSLongitude": "74,26.5737W",
        "exif:GPSAltitudeRef": 0,
        "exif:GPSTimeStamp": "18:22:57",
        "exif:ExposureTime": "1/100",
        "exif:FNumber": 4.0,
        "tiff:Make": "CameraCompany",
        "tiff:Model": "Shooter S1",
        "exifEX:LensMake": "CameraCompany",
        "exifEX:LensSpecification": { "@list": [ 1.55, 4.2, 1.6, 2.4 ] }
    });
    assert_eq!(disallowed_fields(&object(v)), Vec::<String>::new());
}

#[test]
fn example_16_has_fields_appendix_b_does_not_allow() {
    // C2PA 2.2 Example 16 (a PDF): `dc:created` is no Dublin Core property, `dc:title` is not
    // among B.2.1's, and the pdfx namespace is not in Tables 15–16. Appendix B, which §15.10.3.2.3
    // refers to, decides.
    let v = json!({
        "@context" : {
          "dc" : "http://purl.org/dc/elements/1.1/",
          "xmp" : "http://ns.adobe.com/xap/1.0/",
          "pdf" : "http://ns.adobe.com/pdf/1.3/",
          "pdfx": "http://ns.adobe.com/pdfx/1.3/"
        },
        "dc:created": "2015 February 3",
        "dc:title": ["This is a test file"],
        "xmp:CreatorTool": "TeX",
        "pdf:Producer": "pdfTeX-1.40.14",
        "pdf:Trapped": "Unknown",
        "pdfx:PTEX.Fullbanner": "This is pdfTeX"
    });
    let mut bad = disallowed_fields(&object(v));
    bad.sort();
    assert_eq!(bad, ["dc:created", "dc:title", "pdfx:PTEX.Fullbanner"]);
}

#[test]
fn fields_are_compared_by_namespace() {
    let v = json!({
        "@context": [
            {"e": "http://ns.adobe.com/exif/1.0/"},
            {"Model": {"@id": "http://ns.adobe.com/tiff/1.0/Model"}, "mk": "tiff:Make",
             "tiff": "http://ns.adobe.com/tiff/1.0/"}
        ],
        "@id": "",
        "e:FNumber": 2.8,
        "Model": "S1",
        "mk": "Maker",
        "http://ns.adobe.com/xap/1.0/CreatorTool": "Signet",
        "e:MakerNote": "not listed",
        "unknown:Field": 1,
        "Loose": 1,
        "http://example.com/ns/Thing": 1
    });
    let mut bad = disallowed_fields(&object(v));
    bad.sort();
    assert_eq!(
        bad,
        [
            "Loose",
            "e:MakerNote",
            "http://example.com/ns/Thing",
            "unknown:Field"
        ]
    );
}

#[test]
fn a_remote_context_is_not_fetched() {
    let v = json!({
        "@context": "https://example.com/context.jsonld",
        "exif:FNumber": 2.8
    });
    assert_eq!(disallowed_fields(&object(v)), ["exif:FNumber"]);
}
