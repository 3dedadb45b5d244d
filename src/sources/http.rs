//! The HTTP client the public sources share: timeouts, retries with exponential backoff and
//! jitter on 429 / 5xx / connection errors (honouring `Retry-After`), a per-host rate limiter,
//! one request at a time per host, and errors that name the URL, the status and the first line
//! of the body.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{ACCEPT, HeaderMap, RETRY_AFTER};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

/// How the client behaves; the defaults suit the real services.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// Whole-request timeout (connect, send, read the body).
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Retries after the first attempt, for transient failures.
    pub retries: usize,
    /// First backoff delay.
    pub min_delay: Duration,
    /// Longest backoff delay (and longest `Retry-After` honoured).
    pub max_delay: Duration,
    /// `Caller-Id` header (`<organisation>.<name>`), asked for by Vipunen.
    pub caller_id: Option<String>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retries: 4,
            min_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            caller_id: None,
        }
    }
}

/// Why a request failed for good.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The server answered with an error status.
    #[error("{url}: HTTP {status}: {first_line}")]
    Status {
        /// The URL asked.
        url: String,
        /// The status code.
        status: u16,
        /// The first line of the response body (servers often answer in plain text).
        first_line: String,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// No usable answer: the network, a timeout, a connection reset, a truncated body.
    #[error("{url}: {message}")]
    Network {
        /// The URL asked.
        url: String,
        /// What happened.
        message: String,
        /// Whether the service could not be reached at all (no network, refused, DNS).
        unreachable: bool,
    },
    /// The client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
}

impl HttpError {
    /// Whether trying again may help: 429, 5xx and network failures.
    pub fn transient(&self) -> bool {
        match self {
            HttpError::Status { status, .. } => *status == 429 || *status >= 500,
            HttpError::Network { .. } => true,
            HttpError::Client(_) => false,
        }
    }

    /// Whether the service was not reachable at all (the caller may fall back to a snapshot).
    pub fn unreachable(&self) -> bool {
        matches!(self, HttpError::Network { unreachable: true, .. })
    }

    /// The error without its URL (for log lines that name the URL already).
    pub fn reason(&self) -> String {
        match self {
            HttpError::Status { status, first_line, .. } => format!("HTTP {status}: {first_line}"),
            HttpError::Network { message, .. } => message.clone(),
            HttpError::Client(m) => m.clone(),
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            HttpError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A response that arrived whole.
#[derive(Clone, Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The body, decompressed.
    pub body: Vec<u8>,
    /// Headers worth keeping in provenance (content type, dates, etags).
    pub headers: Vec<(String, String)>,
}

/// At most `max` calls in any `window`: a sliding log of the last calls' times. (A token bucket
/// would allow a burst plus a refill inside one window; the services state their limit per
/// window, so the window is what is kept.)
#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    log: tokio::sync::Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    /// A limiter of `max` calls per `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Self { max: max.max(1), window, log: tokio::sync::Mutex::new(VecDeque::new()) }
    }

    /// Waits until a call is allowed, and records it.
    pub async fn acquire(&self) {
        loop {
            let mut log = self.log.lock().await;
            let now = Instant::now();
            while log.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
                log.pop_front();
            }
            if log.len() < self.max {
                log.push_back(now);
                return;
            }
            let wait = self.window - now.duration_since(*log.front().expect("full log"));
            drop(log);
            tokio::time::sleep(wait).await;
        }
    }
}

struct Host {
    limiter: Arc<RateLimiter>,
    one_at_a_time: Arc<Semaphore>,
}

/// The shared client.
pub struct Http {
    client: reqwest::Client,
    settings: HttpSettings,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    /// Hosts that could not be reached at all in this run: not tried again (without network,
    /// every source would otherwise wait through its own retries).
    unreachable: Mutex<std::collections::HashSet<String>>,
}

/// The default limit of a host nobody configured: polite, well under every documented limit.
const DEFAULT_LIMIT: (usize, Duration) = (10, Duration::from_secs(1));

impl Http {
    /// Builds the client.
    pub fn new(settings: HttpSettings) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("kooste/", env!("CARGO_PKG_VERSION")))
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .gzip(true)
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        Ok(Self { client, settings, hosts: Mutex::new(HashMap::new()), unreachable: Mutex::new(Default::default()) })
    }

    /// Sets the rate limit of a host (`max` calls per `window`).
    pub fn limit(&self, host: &str, max: usize, window: Duration) {
        let mut hosts = self.hosts.lock().expect("host table");
        if hosts.get(host).is_some_and(|h| h.limiter.max == max.max(1) && h.limiter.window == window) {
            return; // the same limit: keep the calls already made in this window
        }
        let one = hosts.get(host).map(|h| h.one_at_a_time.clone()).unwrap_or_else(|| Arc::new(Semaphore::new(1)));
        hosts.insert(host.to_owned(), Arc::new(Host { limiter: Arc::new(RateLimiter::new(max, window)), one_at_a_time: one }));
    }

    fn host(&self, url: &Url) -> Arc<Host> {
        let key = url.host_str().unwrap_or("").to_owned();
        let mut hosts = self.hosts.lock().expect("host table");
        hosts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Host {
                    limiter: Arc::new(RateLimiter::new(DEFAULT_LIMIT.0, DEFAULT_LIMIT.1)),
                    one_at_a_time: Arc::new(Semaphore::new(1)),
                })
            })
            .clone()
    }

    /// GET a URL, expecting JSON.
    pub async fn get(&self, url: &Url) -> Result<Reply, HttpError> {
        self.send(url, || self.client.get(url.clone())).await
    }

    /// POST a JSON body to a URL, expecting JSON.
    pub async fn post_json(&self, url: &Url, body: &serde_json::Value) -> Result<Reply, HttpError> {
        self.send(url, || self.client.post(url.clone()).json(body)).await
    }

    async fn send(&self, url: &Url, build: impl Fn() -> reqwest::RequestBuilder) -> Result<Reply, HttpError> {
        let host_name = url.host_str().unwrap_or("").to_owned();
        if self.unreachable.lock().expect("host set").contains(&host_name) {
            return Err(HttpError::Network {
                url: url.to_string(),
                message: format!("{host_name} could not be reached earlier in this run"),
                unreachable: true,
            });
        }
        let host = self.host(url);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.settings.min_delay)
            .with_max_delay(self.settings.max_delay)
            .with_max_times(self.settings.retries)
            .with_jitter();
        let max_delay = self.settings.max_delay;
        let attempt = || async {
            let _turn = host.one_at_a_time.acquire().await.map_err(|e| HttpError::Client(e.to_string()))?;
            host.limiter.acquire().await;
            let mut request = build().header(ACCEPT, "application/json");
            if let Some(id) = &self.settings.caller_id {
                request = request.header("Caller-Id", id);
            }
            let response = request.send().await.map_err(|e| network(url, &e))?;
            let status = response.status().as_u16();
            let headers = kept_headers(response.headers());
            let retry_after = retry_after(response.headers());
            let body = response.bytes().await.map_err(|e| network(url, &e))?.to_vec();
            if status >= 400 {
                return Err(HttpError::Status { url: url.to_string(), status, first_line: first_line(&body), retry_after });
            }
            Ok(Reply { status, body, headers })
        };
        let result = attempt
            .retry(backoff)
            .when(HttpError::transient)
            .adjust(move |e, next| next.map(|d| e.retry_after().map_or(d, |ra| ra.min(max_delay).max(d))))
            .notify(|e, wait| tracing::warn!(wait_ms = wait.as_millis() as u64, "Retrying {}: {}", url.path(), e.reason()))
            .await;
        if let Err(e) = &result
            && e.unreachable()
        {
            self.unreachable.lock().expect("host set").insert(host_name);
        }
        result
    }
}

fn network(url: &Url, e: &reqwest::Error) -> HttpError {
    // reqwest's own text repeats the URL; the causes say what happened.
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    let mut message = if causes.is_empty() { e.to_string() } else { causes.join(": ") };
    if e.is_timeout() {
        message = format!("timed out ({message})");
    }
    HttpError::Network { url: url.to_string(), message, unreachable: e.is_connect() }
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok()
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    ["content-type", "date", "last-modified", "etag", "content-encoding"]
        .iter()
        .filter_map(|k| headers.get(*k).and_then(|v| v.to_str().ok()).map(|v| ((*k).to_owned(), v.to_owned())))
        .collect()
}

/// The first line of a body, for error messages (bodies are often plain text).
pub fn first_line(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("(empty body)");
    line.chars().take(200).collect()
}
