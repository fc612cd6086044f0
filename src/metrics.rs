//! Prometheus metrics, served as text by the admin listener at `/metrics`.
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub surface: String,
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    pub verdict: String,
    pub rule: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    pub route: String,
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    pub limit: String,
}

/// Every metric airlock exports.
pub struct Metrics {
    pub registry: Registry,
    pub requests: Family<RouteLabels, Counter>,
    pub decisions: Family<DecisionLabels, Counter>,
    pub upstream_errors: Family<ErrorLabels, Counter>,
    pub limit_hits: Family<LimitLabels, Counter>,
    pub decision_seconds: Histogram,
    pub upstream_seconds: Family<RouteLabels, Histogram>,
    pub approvals_pending: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("airlock");
        let requests = Family::<RouteLabels, Counter>::default();
        let decisions = Family::<DecisionLabels, Counter>::default();
        let upstream_errors = Family::<ErrorLabels, Counter>::default();
        let limit_hits = Family::<LimitLabels, Counter>::default();
        let decision_seconds = Histogram::new(exponential_buckets(1e-6, 2.5, 14));
        let upstream_seconds = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(1e-4, 2.5, 16))
        });
        let approvals_pending = Gauge::default();
        registry.register("requests", "Requests received, by surface and route", requests.clone());
        registry.register("decisions", "Tool-call decisions, by verdict and rule", decisions.clone());
        registry.register("upstream_errors", "Upstream failures, by route and kind", upstream_errors.clone());
        registry.register("limit_hits", "Requests refused by a configured limit", limit_hits.clone());
        registry.register("decision_seconds", "Time to analyze and decide a call", decision_seconds.clone());
        registry.register("upstream_seconds", "Upstream time to response headers", upstream_seconds.clone());
        registry.register("approvals_pending", "Calls held for a human", approvals_pending.clone());
        Metrics {
            registry,
            requests,
            decisions,
            upstream_errors,
            limit_hits,
            decision_seconds,
            upstream_seconds,
            approvals_pending,
        }
    }
}

impl Metrics {
    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }

    pub fn limit_hit(&self, limit: &str) {
        self.limit_hits.get_or_create(&LimitLabels { limit: limit.to_string() }).inc();
    }

    pub fn upstream_error(&self, route: &str, kind: &str) {
        self.upstream_errors.get_or_create(&ErrorLabels { route: route.to_string(), kind: kind.to_string() }).inc();
    }

    pub fn request(&self, surface: &str, route: &str) {
        self.requests.get_or_create(&RouteLabels { surface: surface.to_string(), route: route.to_string() }).inc();
    }
}
