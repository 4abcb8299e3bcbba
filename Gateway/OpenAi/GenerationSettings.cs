using System.Globalization;
using System.Text.Json;
using EpdCluster.Engine.Serving;
using EpdCluster.Engine.Text;
using EpdCluster.Gateway.Hosting;
using EpdCluster.Gateway.Serving;
using EpdCluster.Transfer.Kv.Codecs;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>The validated parameters of a chat or legacy completion, before the prompt is built.</summary>
/// <param name="MaxTokens">What the client asked for, or null: the rest of the context, capped by the limit.</param>
/// <param name="MaxTokensParam">The name the client used (<c>max_tokens</c> or <c>max_completion_tokens</c>), for errors.</param>
internal sealed record GenerationSettings(
    bool Stream,
    bool IncludeUsage,
    int? MaxTokens,
    string MaxTokensParam,
    double Temperature,
    double TopP,
    int TopK,
    long? Seed,
    IReadOnlyList<string> StopStrings,
    bool IgnoreEos,
    string? KvCodec = null)
{
    /// <summary>OpenAI's sampling defaults: temperature 1, top_p 1.</summary>
    private const double DefaultTemperature = 1.0;
    private const double DefaultTopP = 1.0;
    private const double MaxTemperature = 2.0;

    /// <summary>vLLM spells "top-k off" as -1; 0 means the same here.</summary>
    private const int TopKOffVllm = -1;

    /// <summary>Throws <see cref="OpenAiException"/> (400, or 404 for an unknown model) naming the first bad parameter.</summary>
    public static GenerationSettings Read(IGenerationRequest request, int? maxTokens, string maxTokensParam, ServedModel model, GatewayLimits limits)
    {
        if (string.IsNullOrEmpty(request.Model))
        {
            throw OpenAiErrors.MissingParameter("model");
        }

        if (!string.Equals(request.Model, model.Id, StringComparison.Ordinal))
        {
            throw OpenAiErrors.ModelNotFound(request.Model);
        }

        if (request.N is { } n && n != 1)
        {
            throw OpenAiErrors.Unsupported("n", $"Invalid value for 'n': only 1 choice per request is supported, got {n}.");
        }

        var stream = request.Stream ?? false;
        if (request.StreamOptions is not null && !stream)
        {
            throw OpenAiErrors.InvalidValue("stream_options", "stream_options is only allowed when stream is true.");
        }

        if (maxTokens is { } max && (max < 1 || max > limits.MaxTokensLimit))
        {
            throw OpenAiErrors.InvalidValue(maxTokensParam, string.Create(CultureInfo.InvariantCulture, $"expected an integer from 1 to {limits.MaxTokensLimit}, got {max}."));
        }

        var temperature = request.Temperature ?? DefaultTemperature;
        if (temperature is < 0 or > MaxTemperature)
        {
            throw OpenAiErrors.InvalidValue("temperature", string.Create(CultureInfo.InvariantCulture, $"expected a number from 0 to {MaxTemperature}, got {temperature}."));
        }

        var topP = request.TopP ?? DefaultTopP;
        if (topP is <= 0 or > 1)
        {
            throw OpenAiErrors.InvalidValue("top_p", string.Create(CultureInfo.InvariantCulture, $"expected a number greater than 0 and at most 1, got {topP}."));
        }

        var topK = request.TopK ?? 0;
        if (topK < TopKOffVllm)
        {
            throw OpenAiErrors.InvalidValue("top_k", string.Create(CultureInfo.InvariantCulture, $"expected 0 or -1 (off) or a positive integer, got {topK}."));
        }

        if (request.KvCodec is { } kvCodec && !KvCodecSpec.TryParse(kvCodec, out _, out var codecError))
        {
            throw OpenAiErrors.InvalidValue("kv_codec", codecError);
        }

        return new GenerationSettings(
            stream,
            request.StreamOptions?.IncludeUsage ?? false,
            maxTokens,
            maxTokensParam,
            temperature,
            topP,
            Math.Max(0, topK),
            request.Seed,
            ReadStop(request.Stop),
            request.IgnoreEos ?? false,
            request.KvCodec);
    }

    public SamplingParams ToSampling(int maxTokens) => new()
    {
        MaxTokens = maxTokens,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        Seed = Seed,
        IgnoreStopTokens = IgnoreEos,
    };

    /// <summary><c>stop</c>: null, a string, or an array of up to 4 non-empty strings.</summary>
    private static string[] ReadStop(JsonElement? stop)
    {
        const string param = "stop";
        if (stop is not { } element || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        string[] values = element.ValueKind switch
        {
            JsonValueKind.String => [element.GetString()!],
            JsonValueKind.Array => [.. element.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw OpenAiErrors.InvalidType($"{param}[{i}]", "a string", OpenAiJson.DescribeKind(item.ValueKind)))],
            _ => throw OpenAiErrors.InvalidType(param, "a string or an array of strings", OpenAiJson.DescribeKind(element.ValueKind)),
        };

        if (values.Length > StopStringMatcher.MaxStopStrings)
        {
            throw OpenAiErrors.InvalidValue(param, $"at most {StopStringMatcher.MaxStopStrings} stop sequences are allowed, got {values.Length}.");
        }

        if (values.Any(string.IsNullOrEmpty))
        {
            throw OpenAiErrors.InvalidValue(param, "a stop sequence must not be empty.");
        }

        return values;
    }
}
