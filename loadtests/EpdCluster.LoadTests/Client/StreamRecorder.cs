using System.Diagnostics;
using System.Text.Json;

namespace EpdCluster.LoadTests.Client;

/// <summary>Timestamps and counts of one request while its stream is read.</summary>
internal sealed class StreamRecorder(int index, int images, int maxTokens)
{
    private readonly List<double> _itls = [];
    private long _firstToken;
    private long _lastToken;
    private int _chunks;
    private int _promptTokens;
    private int? _completionTokens;
    private int? _imageTokens;
    private int? _cachedTokens;

    public long Start { get; set; }

    public double StartOffsetSeconds { get; set; }

    /// <summary>Reads one chunk; returns the server's error message when the chunk is an error object.</summary>
    public string? ReadChunk(ReadOnlySpan<char> json, long now)
    {
        using var document = JsonDocument.Parse(json.ToString());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("a chunk must be a JSON object");
        }

        if (root.TryGetProperty("error", out var error))
        {
            return error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString();
        }

        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
                    && (HasText(delta, "content") || HasText(delta, "reasoning_content")))
                {
                    OnContent(now);
                    break;
                }
            }
        }

        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            _promptTokens = ReadInt(usage, "prompt_tokens") ?? _promptTokens;
            _completionTokens = ReadInt(usage, "completion_tokens") ?? _completionTokens;
            if (usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object)
            {
                _imageTokens = ReadInt(details, "image_tokens") ?? _imageTokens;
                _cachedTokens = ReadInt(details, "cached_tokens") ?? _cachedTokens;
            }
        }

        return null;
    }

    public RequestOutcome Succeed() => Build(success: true, error: null, message: null, status: null);

    public RequestOutcome Fail(RequestErrorKind error, string message, int? status = null) => Build(success: false, error, message, status);

    private void OnContent(long now)
    {
        if (_chunks == 0)
        {
            _firstToken = now;
        }
        else
        {
            _itls.Add(Stopwatch.GetElapsedTime(_lastToken, now).TotalSeconds);
        }

        _lastToken = now;
        _chunks++;
    }

    private RequestOutcome Build(bool success, RequestErrorKind? error, string? message, int? status) => new()
    {
        Index = index,
        StartOffsetSeconds = StartOffsetSeconds,
        Success = success,
        TtftSeconds = _chunks > 0 ? Stopwatch.GetElapsedTime(Start, _firstToken).TotalSeconds : null,
        DecodeSeconds = _chunks > 0 ? Stopwatch.GetElapsedTime(_firstToken, _lastToken).TotalSeconds : 0,
        E2elSeconds = Stopwatch.GetElapsedTime(Start).TotalSeconds,
        ItlSeconds = _itls,
        Chunks = _chunks,
        PromptTokens = _promptTokens,
        OutputTokens = _completionTokens ?? _chunks,
        ImageTokens = _imageTokens,
        CachedTokens = _cachedTokens,
        UsageReported = _completionTokens is not null,
        Images = images,
        MaxTokens = maxTokens,
        Error = error,
        HttpStatus = status,
        ErrorMessage = message,
    };

    private static bool HasText(JsonElement delta, string name) =>
        delta.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0;

    private static int? ReadInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;
}
