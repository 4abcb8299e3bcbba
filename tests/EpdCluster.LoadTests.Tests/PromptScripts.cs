using System.Globalization;

namespace EpdCluster.LoadTests.Tests;

/// <summary>
/// Scripts written into prompts so a dataset file drives the scripted server request by request:
/// <c>script ttft=30 gaps=10,10,10 status=200 error-after=2 cut-after=1 per-chunk=2</c>.
/// </summary>
internal static class PromptScripts
{
    public static string Write(double ttftMs, IEnumerable<double> gapsMs, string extra = "") =>
        FormattableString.Invariant($"script ttft={ttftMs} gaps={string.Join(',', gapsMs.Select(g => g.ToString(CultureInfo.InvariantCulture)))} {extra}").Trim();

    public static ResponseScript Read(string prompt)
    {
        var script = new ResponseScript();
        foreach (var part in prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var (key, value) = (part[..part.IndexOf('=')], part[(part.IndexOf('=') + 1)..]);
            script = key switch
            {
                "ttft" => script with { TtftMs = double.Parse(value, CultureInfo.InvariantCulture) },
                "gaps" => script with { GapsMs = value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(g => double.Parse(g, CultureInfo.InvariantCulture)).ToList() },
                "status" => script with { Status = int.Parse(value, CultureInfo.InvariantCulture) },
                "error-after" => script with { ErrorAfterChunks = int.Parse(value, CultureInfo.InvariantCulture) },
                "cut-after" => script with { CutAfterChunks = int.Parse(value, CultureInfo.InvariantCulture) },
                "per-chunk" => script with { TokensPerChunk = int.Parse(value, CultureInfo.InvariantCulture) },
                "no-usage" => script with { SendUsage = false },
                _ => throw new FormatException($"unknown script key {key}"),
            };
        }

        return script;
    }
}
