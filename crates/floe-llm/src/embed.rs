//! Embeddings: text to vectors, for memory's similarity search. OpenAI's `/embeddings` (and
//! every OpenAI-compatible endpoint), Ollama's `/api/embed` and Gemini's `batchEmbedContents`;
//! Anthropic has no embeddings API.

use floe_blueprint::ErrorClass;
use serde_json::{Value, json};

use crate::client::{Llm, ModelRef};
use crate::error::LlmError;
use crate::providers::Api;
use crate::secrets::Secret;

/// Most texts sent in one request.
const BATCH: usize = 64;

/// The request embedding `texts` with `model`, or why the API cannot.
fn request(
    api: Api,
    http: &reqwest::Client,
    base: &str,
    key: Option<&Secret>,
    organization: Option<&str>,
    model: &str,
    texts: &[String],
) -> Result<reqwest::RequestBuilder, String> {
    let base = base.trim_end_matches('/');
    let bearer = |builder: reqwest::RequestBuilder| match key {
        Some(key) => builder.bearer_auth(key.expose()),
        None => builder,
    };
    match api {
        Api::Openai | Api::OpenaiCompatible => {
            let mut builder = http.post(format!("{base}/embeddings")).json(&json!({"model": model, "input": texts}));
            if let Some(org) = organization {
                builder = builder.header("OpenAI-Organization", org);
            }
            Ok(bearer(builder))
        }
        Api::Ollama => {
            Ok(bearer(http.post(format!("{base}/api/embed")).json(&json!({"model": model, "input": texts}))))
        }
        Api::Gemini => {
            let requests: Vec<Value> = texts
                .iter()
                .map(|t| json!({"model": format!("models/{model}"), "content": {"parts": [{"text": t}]}}))
                .collect();
            let builder = http
                .post(format!("{base}/v1beta/models/{model}:batchEmbedContents"))
                .json(&json!({"requests": requests}));
            Ok(match key {
                Some(key) => builder.header("x-goog-api-key", key.expose()),
                None => builder,
            })
        }
        Api::Anthropic => Err("Anthropic has no embeddings API: choose an OpenAI, Ollama, Gemini or \
                               OpenAI-compatible embedding model (e.g. `ollama:all-minilm`)"
            .into()),
    }
}

/// The vectors of a reply, in the order of the texts sent.
fn vectors(api: Api, reply: &Value) -> Option<Vec<Vec<f32>>> {
    let floats = |v: &Value| -> Option<Vec<f32>> {
        v.as_array()?.iter().map(|x| x.as_f64().map(|f| f as f32)).collect::<Option<Vec<f32>>>()
    };
    match api {
        Api::Openai | Api::OpenaiCompatible => {
            let mut data: Vec<(u64, Vec<f32>)> = reply["data"]
                .as_array()?
                .iter()
                .map(|d| Some((d["index"].as_u64().unwrap_or(0), floats(&d["embedding"])?)))
                .collect::<Option<_>>()?;
            data.sort_by_key(|(index, _)| *index);
            Some(data.into_iter().map(|(_, v)| v).collect())
        }
        Api::Ollama => reply["embeddings"].as_array()?.iter().map(floats).collect(),
        Api::Gemini => reply["embeddings"].as_array()?.iter().map(|e| floats(&e["values"])).collect(),
        Api::Anthropic => None,
    }
}

impl Llm {
    /// The embedding model configured (settings or `FLOE_EMBEDDING_MODEL`), if any.
    pub fn embedding_model(&self) -> Option<Result<ModelRef, LlmError>> {
        self.settings().embedding_model().map(|name| ModelRef::parse(&name))
    }

    /// The embeddings of `texts` by `model`, one vector per text, in order (sent in batches of 64).
    pub async fn embed(&self, model: &ModelRef, texts: &[String]) -> Result<Vec<Vec<f32>>, LlmError> {
        let provider = self.provider(&model.provider)?;
        let key = self.key(&provider)?;
        let mut all = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            let builder = request(
                provider.api,
                self.http(),
                &provider.base_url,
                key.as_ref(),
                provider.organization.as_deref(),
                &model.model,
                batch,
            )
            .map_err(|why| LlmError::new(ErrorClass::BadRequest, format!("{model}: {why}")))?;
            let limit = self.limit(&provider);
            let _permit =
                limit.acquire().await.map_err(|_| LlmError::new(ErrorClass::Server, "the provider limit closed"))?;
            let body = self.send_whole(&provider, builder, "embeddings").await?;
            let got = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|reply| vectors(provider.api, &reply))
                .filter(|got| got.len() == batch.len())
                .ok_or_else(|| {
                    LlmError::new(
                        ErrorClass::InvalidOutput,
                        format!(
                            "{model} did not answer with {} embeddings; check that it is an embedding model \
                             and that the provider's base URL is right",
                            batch.len()
                        ),
                    )
                })?;
            all.extend(got);
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_api_replies_in_its_own_shape() {
        let openai = json!({"data": [{"index": 1, "embedding": [0.5, 1.0]}, {"index": 0, "embedding": [1.0, 0.0]}]});
        assert_eq!(vectors(Api::Openai, &openai), Some(vec![vec![1.0, 0.0], vec![0.5, 1.0]]));
        assert_eq!(vectors(Api::Ollama, &json!({"embeddings": [[0.25, 0.5]]})), Some(vec![vec![0.25, 0.5]]));
        assert_eq!(vectors(Api::Gemini, &json!({"embeddings": [{"values": [2.0]}]})), Some(vec![vec![2.0]]));
        assert_eq!(vectors(Api::Ollama, &json!({"error": "model not found"})), None);
    }
}
