using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EpdCluster.Cluster.Tests;

/// <summary>A few calls of Prometheus' HTTP API (<c>/api/v1/query</c>, <c>/api/v1/targets</c>, <c>/api/v1/rules</c>).</summary>
internal sealed class PrometheusApi(HttpClient http, Uri baseUrl)
{
    /// <summary>Runs an instant query; <see cref="QueryResult.Error"/> is set when Prometheus refused it.</summary>
    public async Task<QueryResult> QueryAsync(string expr)
    {
        using var response = await http.PostAsync(new Uri(baseUrl, "/api/v1/query"), new FormUrlEncodedContent([new("query", expr)]));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if ((string?)json["status"] != "success")
        {
            return new QueryResult([], $"{json["errorType"]}: {json["error"]}");
        }

        var data = json["data"]!;
        var samples = (string?)data["resultType"] switch
        {
            "vector" => data["result"]!.AsArray().Select(r => new Sample(Labels(r!["metric"]!), Value(r["value"]![1]!))).ToList(),
            "scalar" => [new Sample(new Dictionary<string, string>(), Value(data["result"]![1]!))],
            var other => throw new InvalidOperationException($"unexpected result type {other} for {expr}"),
        };
        return new QueryResult(samples, null);
    }

    /// <summary>The single value of <paramref name="expr"/> (a <c>sum(...)</c>), or 0 when it has no series.</summary>
    public async Task<double> ScalarAsync(string expr)
    {
        var result = await QueryAsync(expr);
        Assert.Null(result.Error);
        return result.Samples.Count switch
        {
            0 => 0,
            1 => result.Samples[0].Value,
            _ => throw new InvalidOperationException($"{expr} returned {result.Samples.Count} series; wrap it in sum()."),
        };
    }

    /// <summary>Active targets: their labels, health and last scrape time.</summary>
    public async Task<IReadOnlyList<TargetState>> TargetsAsync()
    {
        var json = JsonNode.Parse(await http.GetStringAsync(new Uri(baseUrl, "/api/v1/targets?state=active")))!;
        return json["data"]!["activeTargets"]!.AsArray().Select(t => new TargetState(
            Labels(t!["labels"]!),
            (string)t["health"]!,
            DateTimeOffset.Parse((string)t["lastScrape"]!, CultureInfo.InvariantCulture),
            (string?)t["lastError"])).ToList();
    }

    /// <summary>Every loaded rule: kind (<c>recording</c> or <c>alerting</c>), name, query and evaluation health.</summary>
    public async Task<IReadOnlyList<RuleState>> RulesAsync()
    {
        var json = JsonNode.Parse(await http.GetStringAsync(new Uri(baseUrl, "/api/v1/rules")))!;
        return json["data"]!["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray())
            .Select(r => new RuleState((string)r!["type"]!, (string)r["name"]!, (string)r["query"]!, (string)r["health"]!, (string?)r["lastError"]))
            .ToList();
    }

    private static Dictionary<string, string> Labels(JsonNode node) =>
        node.AsObject().ToDictionary(kv => kv.Key, kv => (string)kv.Value!);

    private static double Value(JsonNode node) => double.Parse((string)node!, CultureInfo.InvariantCulture);
}

internal sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value);

internal sealed record QueryResult(IReadOnlyList<Sample> Samples, string? Error);

internal sealed record TargetState(IReadOnlyDictionary<string, string> Labels, string Health, DateTimeOffset LastScrape, string? LastError);

internal sealed record RuleState(string Kind, string Name, string Query, string Health, string? LastError);
