//! The two operations whose bodies are `multipart/form-data`, which progenitor
//! does not generate: `uploadDocument` and `uploadCompanyPreferences`.
//!
//! They are methods on the same [`Client`], built like the generated ones
//! (`client.upload_document().file(..).send().await`), and go through the same
//! token, retry and error handling. The body is encoded in memory, so it can be
//! re-sent after a 401 or a 429.
//!
//! Each exists when its API's cargo feature is on (`document`, `company`).

#![cfg_attr(not(all(feature = "document", feature = "company")), allow(dead_code, unused_imports))]

use bytes::{BufMut, Bytes, BytesMut};
use progenitor_client::{ClientInfo, ResponseValue};
use reqwest::header::CONTENT_TYPE;

#[cfg(feature = "company")]
use crate::generated::types::VendorType;
#[cfg(feature = "document")]
use crate::generated::types::{DocumentMetadata, UploadDocumentResponse};
use crate::generated::Client;

/// A file to upload: its bytes, name and media type.
///
/// `Debug` shows the name, the media type and the size, never the bytes.
#[derive(Clone)]
pub struct FilePart {
    bytes: Bytes,
    file_name: String,
    content_type: String,
}

impl FilePart {
    /// A file with the given name and media type (`application/pdf`, `text/csv`, ...).
    pub fn new(bytes: impl Into<Bytes>, file_name: impl Into<String>, content_type: impl Into<String>) -> Self {
        Self { bytes: bytes.into(), file_name: file_name.into(), content_type: content_type.into() }
    }

    /// A PDF document, the type `uploadDocument` accepts.
    pub fn pdf(bytes: impl Into<Bytes>, file_name: impl Into<String>) -> Self {
        Self::new(bytes, file_name, "application/pdf")
    }
}

impl std::fmt::Debug for FilePart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A `multipart/form-data` body under construction.
pub(crate) struct Form {
    boundary: String,
    body: BytesMut,
}

impl Form {
    pub(crate) fn new() -> Self {
        let boundary = format!("spotnana-{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        Self { boundary, body: BytesMut::new() }
    }

    /// Adds a part; a `content_type` holding a line break (which would
    /// start a header of its own) or another control character is refused.
    pub(crate) fn part(
        &mut self,
        name: &str,
        file_name: Option<&str>,
        content_type: &str,
        data: &[u8],
    ) -> Result<(), crate::Error> {
        if content_type.chars().any(char::is_control) {
            return Err(crate::Error::InvalidRequest(format!(
                "the content type of part `{}` holds a line break or another control character; give a media type such as application/pdf",
                quoted(name)
            )));
        }
        let mut disposition = format!("form-data; name=\"{}\"", quoted(name));
        if let Some(file_name) = file_name {
            disposition.push_str(&format!("; filename=\"{}\"", quoted(file_name)));
        }
        let head = format!(
            "--{}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n",
            self.boundary
        );
        self.body.put_slice(head.as_bytes());
        self.body.put_slice(data);
        self.body.put_slice(b"\r\n");
        Ok(())
    }

    fn json<T: serde::Serialize>(&mut self, name: &str, value: &T) -> Result<(), crate::Error> {
        let data = serde_json::to_vec(value).map_err(|e| crate::Error::InvalidRequest(format!("{name}: {e}")))?;
        self.part(name, None, "application/json", &data)
    }

    pub(crate) fn finish(mut self) -> (String, Bytes) {
        self.body.put_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (format!("multipart/form-data; boundary={}", self.boundary), self.body.freeze())
    }
}

/// Escapes a header parameter value: no quotes, backslashes or line breaks.
fn quoted(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\r' | '\n' => '_',
            c => c,
        })
        .collect()
}

/// The `POST` request that sends a multipart body, with the API version.
fn request(client: &Client, url: String, form: Form) -> Result<reqwest::Request, crate::Error> {
    let (content_type, body) = form.finish();
    client
        .client()
        .post(url)
        .header(CONTENT_TYPE, content_type)
        .header("api-version", Client::api_version())
        .body(body)
        .build()
        .map_err(crate::error::from_reqwest)
}

/// Builder for [`Client::upload_document`].
#[cfg(feature = "document")]
#[derive(Debug, Clone)]
pub struct UploadDocument<'a> {
    client: &'a Client,
    file: Option<FilePart>,
    document_metadata: Option<DocumentMetadata>,
    document_metadata_str: Option<String>,
}

#[cfg(feature = "document")]
impl<'a> UploadDocument<'a> {
    /// The document to upload (PDF). Required.
    pub fn file(mut self, file: FilePart) -> Self {
        self.file = Some(file);
        self
    }

    /// What the document is and what it belongs to, sent as a JSON part.
    pub fn document_metadata(mut self, metadata: DocumentMetadata) -> Self {
        self.document_metadata = Some(metadata);
        self
    }

    /// The metadata as a JSON string, for callers that already hold one.
    pub fn document_metadata_str(mut self, metadata: impl Into<String>) -> Self {
        self.document_metadata_str = Some(metadata.into());
        self
    }

    /// Sends `POST /v2/documents` as `multipart/form-data`, with the client's
    /// bearer token, retries and response checks.
    ///
    /// # Errors
    ///
    /// [`crate::Error`]; `InvalidRequest` when no file was set.
    pub async fn send(self) -> Result<ResponseValue<UploadDocumentResponse>, crate::Error> {
        let file = self.file.ok_or_else(|| crate::Error::InvalidRequest("file was not set".into()))?;
        let mut form = Form::new();
        if let Some(metadata) = &self.document_metadata {
            form.json("documentMetadata", metadata)?;
        }
        form.part("file", Some(&file.file_name), &file.content_type, &file.bytes)?;
        if let Some(metadata) = &self.document_metadata_str {
            form.part("documentMetadataStr", None, "application/json", metadata.as_bytes())?;
        }
        let url = format!("{}/v2/documents", self.client.baseurl());
        crate::call::json(self.client, request(self.client, url, form)?, "upload_document").await
    }
}

/// Builder for [`Client::upload_company_preferences`].
#[cfg(feature = "company")]
#[derive(Debug, Clone)]
pub struct UploadCompanyPreferences<'a> {
    client: &'a Client,
    company_id: Option<String>,
    vendor_type: Option<VendorType>,
    file: Option<FilePart>,
}

#[cfg(feature = "company")]
impl<'a> UploadCompanyPreferences<'a> {
    /// The company whose vendor preferences these are. Required.
    pub fn company_id(mut self, company_id: impl ToString) -> Self {
        self.company_id = Some(company_id.to_string());
        self
    }

    /// Which vendor the preferences are for. Required.
    pub fn vendor_type(mut self, vendor_type: VendorType) -> Self {
        self.vendor_type = Some(vendor_type);
        self
    }

    /// The preferences file.
    pub fn file(mut self, file: FilePart) -> Self {
        self.file = Some(file);
        self
    }

    /// Sends `POST /v2/companies/{companyId}/vendor-preferences` as
    /// `multipart/form-data`, with the client's bearer token, retries and
    /// response checks.
    ///
    /// # Errors
    ///
    /// [`crate::Error`]; `InvalidRequest` when `company_id` or `vendor_type`
    /// was not set.
    pub async fn send(self) -> Result<ResponseValue<()>, crate::Error> {
        let company_id =
            self.company_id.ok_or_else(|| crate::Error::InvalidRequest("company_id was not set".into()))?;
        let vendor_type =
            self.vendor_type.ok_or_else(|| crate::Error::InvalidRequest("vendor_type was not set".into()))?;
        let mut form = Form::new();
        let vendor =
            serde_json::to_value(vendor_type).map_err(|e| crate::Error::InvalidRequest(format!("vendorType: {e}")))?;
        form.part("vendorType", None, "text/plain", vendor.as_str().unwrap_or_default().as_bytes())?;
        if let Some(file) = &self.file {
            form.part("file", Some(&file.file_name), &file.content_type, &file.bytes)?;
        }
        let company = crate::path::encode("company_id", &company_id)?;
        let url = format!("{}/v2/companies/{company}/vendor-preferences", self.client.baseurl());
        crate::call::empty(self.client, request(self.client, url, form)?, "upload_company_preferences").await
    }
}

impl Client {
    #[cfg(feature = "document")]
    /// Uploads a document, such as a boarding pass, to a trip or PNR.
    ///
    /// `POST /v2/documents` (`uploadDocument`), sent as `multipart/form-data`.
    pub fn upload_document(&self) -> UploadDocument<'_> {
        UploadDocument { client: self, file: None, document_metadata: None, document_metadata_str: None }
    }

    #[cfg(feature = "company")]
    /// Uploads a company's vendor preferences file.
    ///
    /// `POST /v2/companies/{companyId}/vendor-preferences` (`uploadCompanyPreferences`),
    /// sent as `multipart/form-data`.
    pub fn upload_company_preferences(&self) -> UploadCompanyPreferences<'_> {
        UploadCompanyPreferences { client: self, company_id: None, vendor_type: None, file: None }
    }
}
