using System.Text.Json.Nodes;

namespace EpdCluster.LoadTests.Configuration;

/// <summary>The server under test and how each request is shaped. Only <see cref="BaseUrl"/> is ever contacted.</summary>
internal sealed class TargetOptions
{
    /// <summary>vLLM bench serve's chat endpoint path.</summary>
    public const string DefaultEndpoint = "/v1/chat/completions";

    /// <summary>The engine's default built-in model (EpdModelConfig.Name).</summary>
    public const string DefaultModel = "epd-tiny";

    /// <summary>Longer than a 4096-token decode at 100 ms per token; a request still open then is counted as a timeout.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(600);

    public Uri BaseUrl { get; set; } = new("http://127.0.0.1:8080");

    public string Endpoint { get; set; } = DefaultEndpoint;

    public string Model { get; set; } = DefaultModel;

    public string? ApiKey { get; set; }

    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>Send <c>"ignore_eos": true</c> (vLLM's extra field) so every request generates exactly max_tokens.</summary>
    public bool IgnoreEos { get; set; } = true;

    /// <summary>Fields merged into every request body last (vLLM's <c>--extra-body</c>), e.g. <c>{"temperature":0.7}</c>.</summary>
    public JsonObject? ExtraBody { get; set; }

    public Uri RequestUri => new(BaseUrl, Endpoint);

    public void Validate()
    {
        if (!BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new LoadOptionsException($"--base-url must be an absolute http(s) URL such as http://127.0.0.1:8080, not '{BaseUrl}'.");
        }

        if (!string.IsNullOrEmpty(BaseUrl.Query) || (BaseUrl.AbsolutePath != "/" && !string.IsNullOrEmpty(BaseUrl.AbsolutePath)))
        {
            throw new LoadOptionsException($"--base-url takes the server root ({BaseUrl.GetLeftPart(UriPartial.Authority)}); put the path in --endpoint.");
        }

        if (!Endpoint.StartsWith('/'))
        {
            throw new LoadOptionsException($"--endpoint must start with '/', not '{Endpoint}'.");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new LoadOptionsException("--model must not be empty.");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new LoadOptionsException("--request-timeout must be a positive number of seconds.");
        }
    }
}
