using System.Text.Json;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>
/// Requests from a dataset JSONL file, in file order. Without offsets the file repeats when a step asks for more requests than it has;
/// with offsets it ends at its last line.
/// </summary>
internal sealed class DatasetReplayWorkload : IWorkload
{
    private static readonly JsonSerializerOptions JsonOptions = new() { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    private readonly string _path;
    private readonly List<LoadRequest> _requests;
    private int _next;

    public DatasetReplayWorkload(string path, WorkloadOptions options, int seed)
    {
        _path = path;
        var random = new Random(seed);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        _requests = [];
        var lineNumber = 0;
        int? withOffsets = null;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            DatasetRecord record;
            try
            {
                record = JsonSerializer.Deserialize<DatasetRecord>(line, JsonOptions) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new LoadOptionsException($"{path}:{lineNumber}: not a dataset record ({e.Message}); expected {{\"prompt\": ..., \"images\": [...], \"output_tokens\": N, \"offset_ms\": T}}.");
            }

            if (string.IsNullOrEmpty(record.Prompt))
            {
                throw new LoadOptionsException($"{path}:{lineNumber}: \"prompt\" is missing or empty.");
            }

            if (record.OutputTokens is < 1)
            {
                throw new LoadOptionsException($"{path}:{lineNumber}: \"output_tokens\" must be at least 1.");
            }

            var hasOffset = record.OffsetMs is not null;
            withOffsets ??= hasOffset ? 1 : 0;
            if ((withOffsets == 1) != hasOffset)
            {
                throw new LoadOptionsException($"{path}:{lineNumber}: \"offset_ms\" must be on every line or on none.");
            }

            if (record.OffsetMs is { } offset && (!(offset >= 0) || double.IsInfinity(offset)))
            {
                throw new LoadOptionsException($"{path}:{lineNumber}: \"offset_ms\" must be zero or positive milliseconds.");
            }

            var images = (record.Images ?? []).Select((image, i) => Image(image, directory, $"{path}:{lineNumber} image {i + 1}")).ToList();
            _requests.Add(new LoadRequest(
                _requests.Count,
                record.Prompt,
                images,
                record.OutputTokens ?? options.OutputTokens.Sample(random),
                record.OffsetMs / 1000.0));
        }

        if (_requests.Count == 0)
        {
            throw new LoadOptionsException($"{path}: the dataset has no records.");
        }

        HasTimestamps = withOffsets == 1;
        if (HasTimestamps && _requests.Zip(_requests.Skip(1)).Any(pair => pair.Second.TimestampSeconds < pair.First.TimestampSeconds))
        {
            throw new LoadOptionsException($"{path}: \"offset_ms\" values must not decrease from line to line.");
        }
    }

    public string Description => $"dataset {_path} ({_requests.Count} records{(HasTimestamps ? ", with offsets" : "")})";

    public bool HasTimestamps { get; }

    public LoadRequest? Next()
    {
        var request = Peek();
        if (request is not null)
        {
            _next++;
        }

        return request;
    }

    public LoadRequest? Peek() =>
        HasTimestamps && _next >= _requests.Count ? null : _requests[_next % _requests.Count] with { Index = _next };

    private static IRequestImage Image(string value, string directory, string where)
    {
        if (value.StartsWith("data:", StringComparison.Ordinal))
        {
            return value.Contains(";base64,", StringComparison.Ordinal)
                ? new DataUrlImage(where, value)
                : throw new LoadOptionsException($"{where}: a data: URL must be base64 (data:image/png;base64,...).");
        }

        var path = Path.IsPathRooted(value) ? value : Path.Combine(directory, value);
        if (value.Length < 4096 && File.Exists(path))
        {
            var head = new byte[12];
            using (var file = File.OpenRead(path))
            {
                file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            }

            var mime = ImageSniffer.MimeType(head) ?? throw new LoadOptionsException($"{where}: {path} is not a PNG, JPEG, GIF or WebP file.");
            return new FileImage(Path.GetFullPath(path), mime);
        }

        var bytes = new byte[(value.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(value, bytes, out var written))
        {
            var mime = ImageSniffer.MimeType(bytes.AsSpan(0, written)) ?? throw new LoadOptionsException($"{where}: the base64 data is not a PNG, JPEG, GIF or WebP image.");
            return new DataUrlImage(where, $"data:{mime};base64,{value}");
        }

        throw new LoadOptionsException($"{where}: '{Shorten(value)}' is neither an existing file, a data: URL nor base64.");
    }

    private static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "...";
}
