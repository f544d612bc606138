//! The subject schema: generated requests survive Arrow (and Parquet) unchanged, and a null where a value is
//! required makes that row (only) an error naming its JSON path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use arrow_array::{Array, RecordBatch, StringArray, StructArray};
use std::sync::Arc;
use xince_abi::request::Request;
use xince_columnar::pipeline::SubjectWriter;
use xince_columnar::{SubjectColumns, requests_to_batch};
use xince_testkit::population;

fn requests(n: u64) -> Vec<Request> {
    let population = population::Population::new(11, "2025-06-30").unwrap();
    let mut v: Vec<Request> = population.iter(n).collect();
    // Exercise the optional top-level fields too.
    v[1].scenario = Some("政府采购".into());
    v[2].explain = true;
    v
}

#[test]
fn requests_round_trip_through_arrow() {
    let reqs = requests(500);
    assert!(reqs.iter().any(|r| !r.subject.records.is_empty() && !r.subject.related.is_empty()));
    let batch = requests_to_batch(&reqs, None).unwrap();
    assert_eq!(batch.num_rows(), 500);
    let cols = SubjectColumns::new(&batch).unwrap();
    for (i, r) in reqs.iter().enumerate() {
        assert_eq!(&cols.request(i).unwrap(), r, "row {i}");
        assert_eq!(cols.jurisdiction(i), None);
    }
}

#[test]
fn requests_round_trip_through_parquet_with_jurisdictions() {
    let reqs = requests(300);
    let js: Vec<Option<String>> =
        (0..300).map(|i| if i % 3 == 0 { None } else { Some(format!("重庆市/区{}", i % 3)) }).collect();
    let mut bytes = Vec::new();
    let mut w = SubjectWriter::new(&mut bytes, true).unwrap();
    w.write(&reqs[..100], Some(&js[..100])).unwrap();
    w.write(&reqs[100..], Some(&js[100..])).unwrap();
    w.close().unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes))
        .unwrap()
        .with_batch_size(64)
        .build()
        .unwrap();
    let mut i = 0;
    for batch in reader {
        let batch = batch.unwrap();
        let cols = SubjectColumns::new(&batch).unwrap();
        for k in 0..cols.len() {
            assert_eq!(cols.request(k).unwrap(), reqs[i], "row {i}");
            assert_eq!(cols.jurisdiction(k), js[i].as_deref(), "row {i}");
            i += 1;
        }
    }
    assert_eq!(i, 300);
}

/// Replaces `subject.id` with a column that is null at `row`.
fn null_subject_id(batch: &RecordBatch, row: usize) -> RecordBatch {
    let subject = batch.column_by_name("subject").unwrap().as_any().downcast_ref::<StructArray>().unwrap();
    let ids = subject.column_by_name("id").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
    let new_ids: StringArray = (0..ids.len()).map(|i| (i != row).then(|| ids.value(i))).collect();
    let (fields, mut columns, nulls) = subject.clone().into_parts();
    let at = fields.iter().position(|f| f.name() == "id").unwrap();
    columns[at] = Arc::new(new_ids);
    // The declared schema says non-null; a reader must cope with data that is not (Spark writes nullable).
    let fields: Vec<_> = fields.iter().map(|f| Arc::new(f.as_ref().clone().with_nullable(true))).collect::<Vec<_>>();
    let subject = StructArray::try_new(fields.clone().into(), columns, nulls).unwrap();
    let mut schema_fields: Vec<_> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    let s = schema_fields.iter().position(|f| f.name() == "subject").unwrap();
    schema_fields[s] = arrow_schema::Field::new("subject", subject.data_type().clone(), true);
    let mut cols = batch.columns().to_vec();
    cols[s] = Arc::new(subject);
    RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(schema_fields)), cols).unwrap()
}

#[test]
fn a_null_required_value_fails_its_row_only() {
    let reqs = requests(10);
    let batch = null_subject_id(&requests_to_batch(&reqs, None).unwrap(), 4);
    let cols = SubjectColumns::new(&batch).unwrap();
    for (i, r) in reqs.iter().enumerate() {
        match cols.request(i) {
            Ok(got) => assert_eq!(&got, r),
            Err(f) => {
                assert_eq!(i, 4);
                assert_eq!(f.code, "E_REQ_SHAPE");
                assert_eq!(f.path.as_deref(), Some("subject.id"));
            }
        }
    }
    assert!(cols.request(4).is_err());
}

#[test]
fn a_missing_required_column_is_a_schema_error() {
    let batch = requests_to_batch(&requests(3), None).unwrap();
    let without = batch.project(&[1, 2, 3]).unwrap(); // no as_of
    let e = SubjectColumns::new(&without).err().unwrap();
    assert_eq!(e.column, "as_of");
    let wrong =
        RecordBatch::try_from_iter(vec![("as_of", Arc::new(arrow_array::Int64Array::from(vec![1])) as Arc<dyn Array>)])
            .unwrap();
    let e = SubjectColumns::new(&wrong).err().unwrap();
    assert_eq!(e.column, "as_of");
    assert!(e.message_en.contains("Date32"), "{}", e.message_en);
}

#[test]
fn a_column_of_the_null_type_counts_as_absent() {
    // pandas gives an all-null column Arrow's Null type: an optional column of it is simply absent.
    let reqs = requests(3);
    let batch = requests_to_batch(&reqs, None).unwrap();
    let mut columns = batch.columns().to_vec();
    let mut fields: Vec<_> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    let at = fields.iter().position(|f| f.name() == "explain").unwrap();
    columns[at] = Arc::new(arrow_array::NullArray::new(3));
    fields[at] = arrow_schema::Field::new("explain", arrow_schema::DataType::Null, true);
    let batch = RecordBatch::try_new(Arc::new(arrow_schema::Schema::new(fields)), columns).unwrap();
    let cols = SubjectColumns::new(&batch).unwrap();
    assert!(!cols.request(0).unwrap().explain);
    assert_eq!(&cols.request(1).unwrap(), &reqs[1]);
}
