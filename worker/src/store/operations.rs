//! The `operations` table.

use super::{num, stmt, text};
use crate::http::Fail;
use serde::Deserialize;
use tidings::model::{Operation, OperationStatus};
use tidings::time::rfc3339;
use worker::D1Database;

/// The statement that records a new `pending` operation.
pub fn create(
    db: &D1Database,
    id: &str,
    kind: &str,
    resource_id: &str,
    now: i64,
) -> Result<worker::D1PreparedStatement, Fail> {
    stmt(
        db,
        "INSERT INTO operations (id, kind, resource_id, status, created_at, updated_at) VALUES (?1, ?2, ?3, 'pending', ?4, ?4)",
        &[text(id), text(kind), text(resource_id), num(now)],
    )
}

/// The statement that marks a pending operation finished (run inside the job's own batch).
pub fn finish(
    db: &D1Database,
    id: &str,
    status: OperationStatus,
    now: i64,
) -> Result<worker::D1PreparedStatement, Fail> {
    let status = match status {
        OperationStatus::Pending => "pending",
        OperationStatus::Succeeded => "succeeded",
        OperationStatus::Failed => "failed",
    };
    stmt(
        db,
        "UPDATE operations SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status = 'pending'",
        &[text(id), text(status), num(now)],
    )
}

#[derive(Deserialize)]
struct Row {
    id: String,
    kind: String,
    resource_id: String,
    status: OperationStatus,
    created_at: f64,
    updated_at: f64,
}

pub async fn get(db: &D1Database, id: &str) -> Result<Option<Operation>, Fail> {
    let row: Option<Row> = stmt(db, "SELECT * FROM operations WHERE id = ?1", &[text(id)])?.first(None).await?;
    Ok(row.map(|r| Operation {
        id: r.id,
        kind: r.kind,
        resource_id: r.resource_id,
        status: r.status,
        created_at: rfc3339(r.created_at as i64),
        updated_at: rfc3339(r.updated_at as i64),
    }))
}
