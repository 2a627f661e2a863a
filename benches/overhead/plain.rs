//! The generated code alone: the `listCompanies` and `readCompany` builders
//! as progenitor generates them (from `$OUT_DIR/codegen.rs`: the same
//! fields, the same request building, the same status match), on a client
//! with progenitor's default hooks (`pre` and `post` do nothing, `exec` sends
//! with plain reqwest), decoding with progenitor's
//! `ResponseValue::from_response`. What a plain progenitor client of this
//! spec costs, without the SDK's token, retries and response checks.
//!
//! The two `send` bodies repeat each other, as the generated ones do: they
//! are kept as progenitor writes them, not folded, so that the baseline does
//! what generated code does.
//!
//! The token is a default `Authorization` header of the reqwest client the
//! progenitor client is given, built once: a fixed token costs the generated
//! code no more than that.

use progenitor_client::{encode_path, ClientHooks, ClientInfo, Error, OperationInfo, QueryParam, ResponseValue};
use spotnana::types;

/// A progenitor client with no inner state and default hooks.
///
/// `client` should carry the bearer token as a default header.
#[derive(Clone)]
pub struct Plain {
    pub baseurl: String,
    pub client: reqwest::Client,
}

impl ClientInfo<()> for Plain {
    fn api_version() -> &'static str {
        "2.0"
    }
    fn baseurl(&self) -> &str {
        self.baseurl.as_str()
    }
    fn client(&self) -> &reqwest::Client {
        &self.client
    }
    fn inner(&self) -> &() {
        &()
    }
}

impl ClientHooks for Plain {}

fn headers(capacity: usize) -> reqwest::header::HeaderMap {
    let mut header_map = reqwest::header::HeaderMap::with_capacity(capacity);
    header_map.append(
        reqwest::header::HeaderName::from_static("api-version"),
        reqwest::header::HeaderValue::from_static(Plain::api_version()),
    );
    header_map
}

pub struct ListCompanies<'a> {
    client: &'a Plain,
    booking_tmc_ids: Result<Option<Vec<uuid::Uuid>>, String>,
    company_ids: Result<Option<Vec<uuid::Uuid>>, String>,
    company_role: Result<Option<Vec<types::CompanyRole>>, String>,
    contracting_tmc_ids: Result<Option<Vec<uuid::Uuid>>, String>,
    external_id: Result<Option<String>, String>,
    limit: Result<Option<i64>, String>,
    offset: Result<Option<u64>, String>,
}

impl<'a> ListCompanies<'a> {
    pub fn new(client: &'a Plain) -> Self {
        Self {
            client,
            booking_tmc_ids: Ok(None),
            company_ids: Ok(None),
            company_role: Ok(None),
            contracting_tmc_ids: Ok(None),
            external_id: Ok(None),
            limit: Ok(None),
            offset: Ok(None),
        }
    }

    pub async fn send(self) -> Result<ResponseValue<types::ArrayOfReference>, Error<types::ErrorResponse>> {
        let Self {
            client,
            booking_tmc_ids,
            company_ids,
            company_role,
            contracting_tmc_ids,
            external_id,
            limit,
            offset,
        } = self;
        let booking_tmc_ids = booking_tmc_ids.map_err(Error::InvalidRequest)?;
        let company_ids = company_ids.map_err(Error::InvalidRequest)?;
        let company_role = company_role.map_err(Error::InvalidRequest)?;
        let contracting_tmc_ids = contracting_tmc_ids.map_err(Error::InvalidRequest)?;
        let external_id = external_id.map_err(Error::InvalidRequest)?;
        let limit = limit.map_err(Error::InvalidRequest)?;
        let offset = offset.map_err(Error::InvalidRequest)?;
        let url = format!("{}/v2/companies", client.baseurl,);
        let header_map = headers(1);
        #[allow(unused_mut)]
        let mut request = client
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, reqwest::header::HeaderValue::from_static("application/json"))
            .query(&QueryParam::new("bookingTmcIds", &booking_tmc_ids))
            .query(&QueryParam::new("companyIds", &company_ids))
            .query(&QueryParam::new("companyRole", &company_role))
            .query(&QueryParam::new("contractingTmcIds", &contracting_tmc_ids))
            .query(&QueryParam::new("externalId", &external_id))
            .query(&QueryParam::new("limit", &limit))
            .query(&QueryParam::new("offset", &offset))
            .headers(header_map)
            .build()?;
        let info = OperationInfo { operation_id: "list_companies" };
        client.pre(&mut request, &info).await?;
        let result = client.exec(request, &info).await;
        client.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            401u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
            403u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}

pub struct ReadCompany<'a> {
    client: &'a Plain,
    company_id: Result<String, String>,
    x_application_id: Result<Option<uuid::Uuid>, String>,
}

impl<'a> ReadCompany<'a> {
    pub fn new(client: &'a Plain) -> Self {
        Self { client, company_id: Err("company_id was not initialized".to_string()), x_application_id: Ok(None) }
    }

    pub fn company_id<V>(mut self, value: V) -> Self
    where
        V: std::convert::TryInto<String>,
    {
        self.company_id = value
            .try_into()
            .map_err(|_| "conversion to `:: std :: string :: String` for company_id failed".to_string());
        self
    }

    pub async fn send(self) -> Result<ResponseValue<types::Company>, Error<types::ErrorResponse>> {
        let Self { client, company_id, x_application_id } = self;
        let company_id = company_id.map_err(Error::InvalidRequest)?;
        let x_application_id = x_application_id.map_err(Error::InvalidRequest)?;
        let url = format!("{}/v2/companies/{}", client.baseurl, encode_path(&company_id.to_string()),);
        let mut header_map = headers(2);
        if let Some(value) = x_application_id {
            header_map.append("x-application-id", value.to_string().try_into()?);
        }
        #[allow(unused_mut)]
        let mut request = client
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, reqwest::header::HeaderValue::from_static("application/json"))
            .headers(header_map)
            .build()?;
        let info = OperationInfo { operation_id: "read_company" };
        client.pre(&mut request, &info).await?;
        let result = client.exec(request, &info).await;
        client.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            401u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
            403u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
            404u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
            _ => Err(Error::UnexpectedResponse(response)),
        }
    }
}
