mod common;

use common::*;
use xince_abi::sections::SectionError;
use xince_review::{ManifestError, read_manifest};

#[test]
fn reads_the_manifest_back() {
    let m = manifest_v1();
    assert_eq!(read_manifest(&module_with(&m)).unwrap(), m);
}

#[test]
fn a_text_file_is_not_wasm() {
    let err = read_manifest("政策 测试 {}".as_bytes()).unwrap_err();
    assert_eq!(err, ManifestError::Module(SectionError::NotWasm));
    assert!(err.to_string().contains("不是 wasm 模块"));
}

#[test]
fn a_module_without_manifest_is_named_as_such() {
    let bare = xince_abi::sections::WASM_HEADER.to_vec();
    assert_eq!(read_manifest(&bare).unwrap_err(), ManifestError::Missing);
}

#[test]
fn corrupt_manifest_names_json_path_and_byte_offset() {
    let mut value = serde_json::to_value(manifest_v1()).unwrap();
    value["lists"][1]["period"] = serde_json::json!(3);
    let json = serde_json::to_vec(&value).unwrap();
    let module = module_with_manifest_json(&json);
    let err = read_manifest(&module).unwrap_err();
    let ManifestError::Corrupt { offset, path, detail } = &err else { panic!("expected Corrupt, got {err:?}") };
    assert_eq!(path, "lists[1].period");
    assert!(detail.contains("expected a string"), "{detail}");
    // the offset points at the offending value `3` in the module bytes
    let needle = b"\"period\":3";
    let at = module.windows(needle.len()).position(|w| w == needle).unwrap();
    assert_eq!(*offset, at + needle.len() - 1);
    assert_eq!(module[*offset], b'3');
    assert!(err.to_string().contains("lists[1].period"));
}

#[test]
fn truncated_json_is_corrupt_at_its_end() {
    let json = serde_json::to_vec(&manifest_v1()).unwrap();
    let module = module_with_manifest_json(&json[..json.len() / 2]);
    let err = read_manifest(&module).unwrap_err();
    // reading stopped at the last byte of the section
    assert!(matches!(&err, ManifestError::Corrupt { offset, .. } if *offset == module.len() - 1), "{err:?}");
}

#[test]
fn trailing_bytes_after_the_json_are_corrupt() {
    let mut json = serde_json::to_vec(&manifest_v1()).unwrap();
    let end = json.len();
    json.extend_from_slice(b" x");
    let module = module_with_manifest_json(&json);
    let err = read_manifest(&module).unwrap_err();
    let start = module.len() - json.len();
    assert!(
        matches!(&err, ManifestError::Corrupt { offset, path, .. } if module[*offset] == b'x' && *offset == start + end + 1 && path == "."),
        "{err:?}"
    );
}
