using System.Text;
using System.Text.Json;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Workloads;

/// <summary>
/// Replays a Mooncake trace. Each hash id becomes a block of <see cref="WorkloadOptions.TraceBlockTokens"/> words generated
/// from (seed, hash id), so requests with the same leading hash ids send the same text prefix; the last block is cut to
/// make <c>input_length</c> words, and tokens beyond the blocks are filled with words unique to the request.
/// </summary>
internal sealed class MooncakeTraceWorkload : IWorkload
{
    private readonly string _path;
    private readonly List<MooncakeTraceRecord> _records = [];
    private readonly int _seed;
    private readonly int _blockTokens;
    private int _next;
    private LoadRequest? _peeked;

    public MooncakeTraceWorkload(string path, WorkloadOptions options, int seed)
    {
        _path = path;
        _seed = seed;
        _blockTokens = options.TraceBlockTokens;
        var lineNumber = 0;
        double previous = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            MooncakeTraceRecord record;
            try
            {
                record = JsonSerializer.Deserialize<MooncakeTraceRecord>(line) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new LoadOptionsException($"{path}:{lineNumber}: not a Mooncake trace record ({e.Message}).");
            }

            if (record.Timestamp is not { } timestamp || record.InputLength is not { } input || record.OutputLength is not { } output || record.HashIds is null)
            {
                throw new LoadOptionsException($"{path}:{lineNumber}: a trace record needs timestamp, input_length, output_length and hash_ids.");
            }

            if (input < 1 || output < 1 || timestamp < previous)
            {
                throw new LoadOptionsException($"{path}:{lineNumber}: lengths must be at least 1 and timestamps must not decrease.");
            }

            previous = timestamp;
            _records.Add(record);
        }

        if (_records.Count == 0)
        {
            throw new LoadOptionsException($"{path}: the trace has no records.");
        }
    }

    public string Description => $"mooncake trace {_path} ({_records.Count} requests, {_blockTokens}-token blocks)";

    public bool HasTimestamps => true;

    public LoadRequest? Next()
    {
        var request = Peek();
        if (request is not null)
        {
            _next++;
            _peeked = null;
        }

        return request;
    }

    // Prompts of long traces are large: build each once, whether it is peeked first or not.
    public LoadRequest? Peek()
    {
        if (_next >= _records.Count)
        {
            return null;
        }

        var record = _records[_next];
        return _peeked ??= new LoadRequest(_next, Prompt(_next, record.InputLength!.Value, record.HashIds!), [], record.OutputLength!.Value, record.Timestamp!.Value / 1000.0);
    }

    /// <summary>The prompt for a record: shared blocks by hash id, then request-unique filler.</summary>
    public string Prompt(int index, int inputLength, IReadOnlyList<long> hashIds)
    {
        var text = new StringBuilder(inputLength * 6);
        var remaining = inputLength;
        foreach (var hashId in hashIds)
        {
            if (remaining == 0)
            {
                break;
            }

            var words = Math.Min(_blockTokens, remaining);
            PromptText.AppendWords(text, new Random(SeedMixer.Mix(_seed, hashId, SeedMixer.TraceBlockStream)), words);
            remaining -= words;
        }

        if (remaining > 0)
        {
            PromptText.AppendWords(text, new Random(SeedMixer.Mix(_seed, index, SeedMixer.TraceFillerStream)), remaining);
        }

        return text.ToString();
    }
}
