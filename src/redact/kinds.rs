//! The closed list of things the redactor can find: one [`Kind`] per detector, with its config name
//! (`[redact.detectors] email = "mask"`), the label used in placeholders (`[REDACTED:EMAIL]`) and whether it
//! is a secret (always removed) or personal data (configurable per direction).
//!
//! Labels are upper-case with underscores and never equal a context word a detector looks for, so a
//! placeholder cannot make a neighbouring value detectable on a second pass.

/// Whether a kind is a credential (always removed) or personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Pii,
    Secret,
}

macro_rules! kinds {
    ($($variant:ident => ($name:literal, $label:literal, $class:ident)),* $(,)?) => {
        /// One detector's output type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) enum Kind { $($variant,)* Placeholder }

        impl Kind {
            /// Every configurable kind, in table order (the placeholder guard is not one).
            pub(crate) const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            /// The config and finding name (`aws-access-key`).
            pub(crate) fn name(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* Kind::Placeholder => "placeholder" }
            }

            /// The placeholder label (`AWS_ACCESS_KEY`).
            pub(crate) fn label(self) -> &'static str {
                match self { $(Kind::$variant => $label,)* Kind::Placeholder => "PLACEHOLDER" }
            }

            /// Secret or personal data.
            pub(crate) fn class(self) -> Class {
                match self { $(Kind::$variant => Class::$class,)* Kind::Placeholder => Class::Secret }
            }
        }
    };
}

kinds! {
    Email => ("email", "EMAIL", Pii),
    Phone => ("phone", "PHONE_NUMBER", Pii),
    Card => ("card", "CARD", Pii),
    Iban => ("iban", "IBAN", Pii),
    Ssn => ("ssn", "US_SSN", Pii),
    Aadhaar => ("aadhaar", "IN_AADHAAR", Pii),
    InPan => ("in-pan", "IN_PAN", Pii),
    UkNino => ("uk-nino", "UK_NINO", Pii),
    AwsAccessKey => ("aws-access-key", "AWS_ACCESS_KEY", Secret),
    AwsSecretKey => ("aws-secret-key", "AWS_SECRET_KEY", Secret),
    GithubToken => ("github-token", "GITHUB_TOKEN", Secret),
    GitlabToken => ("gitlab-token", "GITLAB_TOKEN", Secret),
    OpenaiKey => ("openai-key", "OPENAI_KEY", Secret),
    AnthropicKey => ("anthropic-key", "ANTHROPIC_KEY", Secret),
    SlackToken => ("slack-token", "SLACK_TOKEN", Secret),
    SlackWebhook => ("slack-webhook", "SLACK_WEBHOOK", Secret),
    StripeKey => ("stripe-key", "STRIPE_KEY", Secret),
    GoogleApiKey => ("google-api-key", "GOOGLE_API_KEY", Secret),
    GoogleOauth => ("google-oauth", "GOOGLE_OAUTH", Secret),
    NpmToken => ("npm-token", "NPM_TOKEN", Secret),
    PypiToken => ("pypi-token", "PYPI_TOKEN", Secret),
    TwilioKey => ("twilio-key", "TWILIO_KEY", Secret),
    SendgridKey => ("sendgrid-key", "SENDGRID_KEY", Secret),
    DiscordToken => ("discord-token", "DISCORD_TOKEN", Secret),
    DiscordWebhook => ("discord-webhook", "DISCORD_WEBHOOK", Secret),
    TelegramToken => ("telegram-token", "TELEGRAM_TOKEN", Secret),
    MailgunKey => ("mailgun-key", "MAILGUN_KEY", Secret),
    HerokuKey => ("heroku-key", "HEROKU_KEY", Secret),
    DigitaloceanToken => ("digitalocean-token", "DIGITALOCEAN_TOKEN", Secret),
    ShopifyToken => ("shopify-token", "SHOPIFY_TOKEN", Secret),
    VaultToken => ("vault-token", "VAULT_TOKEN", Secret),
    AzureStorageKey => ("azure-storage-key", "AZURE_STORAGE_KEY", Secret),
    HuggingfaceToken => ("huggingface-token", "HUGGINGFACE_TOKEN", Secret),
    DatadogKey => ("datadog-key", "DATADOG_KEY", Secret),
    LinearKey => ("linear-key", "LINEAR_KEY", Secret),
    NotionToken => ("notion-token", "NOTION_TOKEN", Secret),
    DopplerToken => ("doppler-token", "DOPPLER_TOKEN", Secret),
    AgeSecretKey => ("age-secret-key", "AGE_SECRET_KEY", Secret),
    PostmanKey => ("postman-key", "POSTMAN_KEY", Secret),
    GrafanaToken => ("grafana-token", "GRAFANA_TOKEN", Secret),
    SentryToken => ("sentry-token", "SENTRY_TOKEN", Secret),
    AtlassianToken => ("atlassian-token", "ATLASSIAN_TOKEN", Secret),
    DatabricksToken => ("databricks-token", "DATABRICKS_TOKEN", Secret),
    PulumiToken => ("pulumi-token", "PULUMI_TOKEN", Secret),
    SquareToken => ("square-token", "SQUARE_TOKEN", Secret),
    NewrelicKey => ("newrelic-key", "NEWRELIC_KEY", Secret),
    SupabaseToken => ("supabase-token", "SUPABASE_TOKEN", Secret),
    PlanetscaleToken => ("planetscale-token", "PLANETSCALE_TOKEN", Secret),
    SourcegraphToken => ("sourcegraph-token", "SOURCEGRAPH_TOKEN", Secret),
    ReplicateToken => ("replicate-token", "REPLICATE_TOKEN", Secret),
    GroqKey => ("groq-key", "GROQ_KEY", Secret),
    PerplexityKey => ("perplexity-key", "PERPLEXITY_KEY", Secret),
    XaiKey => ("xai-key", "XAI_KEY", Secret),
    TailscaleKey => ("tailscale-key", "TAILSCALE_KEY", Secret),
    BuildkiteToken => ("buildkite-token", "BUILDKITE_TOKEN", Secret),
    ContentfulToken => ("contentful-token", "CONTENTFUL_TOKEN", Secret),
    RubygemsToken => ("rubygems-token", "RUBYGEMS_TOKEN", Secret),
    DynatraceToken => ("dynatrace-token", "DYNATRACE_TOKEN", Secret),
    FigmaToken => ("figma-token", "FIGMA_TOKEN", Secret),
    PrefectKey => ("prefect-key", "PREFECT_KEY", Secret),
    ShippoToken => ("shippo-token", "SHIPPO_TOKEN", Secret),
    EasypostKey => ("easypost-key", "EASYPOST_KEY", Secret),
    DuffelToken => ("duffel-token", "DUFFEL_TOKEN", Secret),
    FlutterwaveKey => ("flutterwave-key", "FLUTTERWAVE_KEY", Secret),
    ReadmeKey => ("readme-key", "README_KEY", Secret),
    FacebookToken => ("facebook-token", "FACEBOOK_TOKEN", Secret),
    MapboxToken => ("mapbox-token", "MAPBOX_TOKEN", Secret),
    Jwt => ("jwt", "JWT", Secret),
    PrivateKey => ("private-key", "PRIVATE_KEY", Secret),
    UrlPassword => ("url-password", "URL_PASSWORD", Secret),
    BearerToken => ("bearer-token", "BEARER_TOKEN", Secret),
    Password => ("password", "PASSWORD", Secret),
    Secret => ("secret", "SECRET", Secret),
}

impl Kind {
    /// Looks a kind up by its config name; `_` and `-` are interchangeable.
    pub(crate) fn by_name(name: &str) -> Option<Kind> {
        let norm = name.trim().to_ascii_lowercase().replace('_', "-");
        Kind::ALL.iter().copied().find(|k| k.name() == norm)
    }

    /// Dense index for per-kind tables.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Number of kinds including the placeholder guard.
    pub(crate) const COUNT: usize = Kind::Placeholder as usize + 1;
}
