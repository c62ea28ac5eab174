//! Uploaded materials (证件扫描件, 负责人照片, 核验照片, 核验单, 前置审批文件 …):
//! stored in SurrealDB with their SHA-256, type sniffed from the bytes.

use surrealdb::types::{Bytes, RecordId, SurrealValue};

use super::application::{invalid, new_key};
use super::db::{tx_check, Db, STALE};
use super::guard::Ctx;
use crate::domain::filing::{check_material, MaterialKind};
use crate::domain::Message;
use crate::error::AppError;
use crate::models::MaterialInfo;

/// At most this many files per filing (each at most 5 MB).
pub const MAX_PER_FILING: i64 = 30;

/// The action an upload (or removal) of this kind of file is part of: the
/// registrant's documents are edits of the filing (保存); the 核验 photo and
/// form are the provider's verification (核验).
pub fn action_for(kind: MaterialKind) -> crate::domain::workflow::Action {
    if kind.is_staff() {
        crate::domain::workflow::Action::Verify
    } else {
        crate::domain::workflow::Action::Save
    }
}

pub async fn list(db: &Db, app: &RecordId) -> Result<Vec<MaterialInfo>, AppError> {
    #[derive(SurrealValue)]
    struct Row {
        key: String,
        kind: String,
        filename: String,
        content_type: String,
        size: i64,
    }
    let mut res = db
        .query("SELECT record::id(id) AS key, kind, filename, content_type, size, created_at FROM material WHERE application = $a ORDER BY created_at")
        .bind(("a", app.clone()))
        .await?
        .check()?;
    let rows: Vec<Row> = res.take(0)?;
    Ok(rows
        .into_iter()
        .map(|r| MaterialInfo { id: r.key, kind: r.kind, filename: r.filename, content_type: r.content_type, size: r.size.max(0) as u64 })
        .collect())
}

pub fn kinds(list: &[MaterialInfo]) -> Vec<MaterialKind> {
    list.iter().filter_map(|m| MaterialKind::from_code(&m.kind)).collect()
}

/// (kind, id) of every upload, to tell whether a marked document was replaced.
pub fn values(list: &[MaterialInfo]) -> Vec<(String, String)> {
    list.iter().map(|m| (m.kind.clone(), m.id.clone())).collect()
}

/// `statements` in one transaction that first checks the filing (`$app`)
/// is still in the state the authorisation saw (`$from`), else THROWs stale.
fn while_in_state(statements: &str) -> String {
    format!(
        "BEGIN;
         LET $ok = (UPDATE $app SET updated_at = time::now() WHERE status = $from RETURN VALUE id);
         IF array::len($ok) = 0 {{ THROW '{STALE}' }};
         {statements}
         COMMIT;"
    )
}

/// Store an upload for the filing the context was authorised for (the
/// registrant's own documents while editing, the provider's 核验 files
/// while verifying): size and type checked from the bytes; one file per
/// kind (a new one replaces the old), except 其他材料. The filing must still
/// be in the state the check saw.
pub async fn add(cx: &Ctx, kind: MaterialKind, filename: &str, bytes: Vec<u8>) -> Result<MaterialInfo, AppError> {
    let row = cx.filing()?;
    let me = cx.me()?;
    let mime = check_material(kind, &bytes).map_err(|p| invalid(kind.field(), p))?;
    let filename: String = filename.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\' | '"')).take(120).collect();
    let filename = if filename.trim().is_empty() { format!("{}.bin", kind.code()) } else { filename };
    let sha = super::auth::sha256_hex(&bytes);
    let key = new_key();
    let size = bytes.len() as i64;
    let replace = if kind.many() { "" } else { "DELETE material WHERE application = $app AND kind = $kind;" };
    let audit = if kind.is_staff() {
        "CREATE audit_event SET application = $app, actor = $me, role = 'provider', action = 'verify', from_status = $from, to_status = $from, comment = $label RETURN NONE;"
    } else {
        ""
    };
    let res = cx
        .db
        .query(while_in_state(&format!(
            "{replace}
             IF (SELECT VALUE count() FROM material WHERE application = $app GROUP ALL)[0] >= $max {{ THROW 'too_many' }};
             CREATE type::record('material', $key) SET application = $app, kind = $kind, filename = $name, content_type = $mime, size = $size, sha256 = $sha, data = $data, uploaded_by = $me RETURN NONE;
             {audit}"
        )))
        .bind(("key", key.clone()))
        .bind(("app", row.record_id()))
        .bind(("from", row.status.code().to_string()))
        .bind(("kind", kind.code().to_string()))
        .bind(("name", filename.clone()))
        .bind(("mime", mime.to_string()))
        .bind(("size", size))
        .bind(("sha", sha))
        .bind(("data", Bytes::from(bytes)))
        .bind(("me", me.id.clone()))
        .bind(("max", MAX_PER_FILING))
        .bind(("label", format!("上传{}", kind.field().label.zh)))
        .await
        .and_then(tx_check);
    if let Err(e) = res {
        let too_many = Message::new(format!("每份备案最多上传{MAX_PER_FILING}个文件，请先删除不需要的文件"), format!("At most {MAX_PER_FILING} files per filing; remove one you do not need first"));
        return Err(super::transition::answer(&cx.db, &row.record_id(), &e, &[("too_many", too_many)], None).await);
    }
    Ok(MaterialInfo { id: key, kind: kind.code().to_string(), filename, content_type: mime.to_string(), size: size as u64 })
}

/// Remove the material the context was authorised for, while its filing is
/// still in the state the check saw.
pub async fn remove(cx: &Ctx) -> Result<(), AppError> {
    let row = cx.filing()?;
    let res = cx
        .db
        .query(while_in_state("DELETE $m;"))
        .bind(("app", row.record_id()))
        .bind(("from", row.status.code().to_string()))
        .bind(("m", cx.material()?.clone()))
        .await
        .and_then(tx_check);
    match res {
        Ok(_) => Ok(()),
        Err(e) => Err(super::transition::answer(&cx.db, &row.record_id(), &e, &[], None).await),
    }
}

/// The bytes of the material the context was authorised to read: (MIME type, file name, bytes).
pub async fn file(cx: &Ctx) -> Result<(String, String, Vec<u8>), AppError> {
    #[derive(SurrealValue)]
    struct Row {
        content_type: String,
        filename: String,
        data: Bytes,
    }
    let mut res = cx.db.query("SELECT content_type, filename, data FROM ONLY $m").bind(("m", cx.material()?.clone())).await?.check()?;
    let row: Option<Row> = res.take(0)?;
    let row = row.ok_or(AppError::NotFound)?;
    Ok((row.content_type, row.filename, row.data.into_inner().to_vec()))
}
