using System.Text.Json.Nodes;
using EpdCluster.Testing;

namespace EpdCluster.Cluster.Tests;

/// <summary>The Grafana dashboards in deploy/grafana/dashboards and the PromQL of their panels.</summary>
internal static class DashboardFiles
{
    public static string Directory => Path.Combine(RepositoryLayout.Root, "deploy", "grafana", "dashboards");

    public static IReadOnlyList<string> All => System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal).ToList();

    public static JsonObject Load(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    /// <summary>Every panel (rows' nested panels included) of a dashboard.</summary>
    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().Select(p => p!.AsObject())
            .SelectMany(p => p["panels"] is JsonArray nested ? [p, .. nested.Select(n => n!.AsObject())] : new[] { p });

    /// <summary>(panel title, expr) for every target of every panel.</summary>
    public static IEnumerable<(string Panel, string Expr)> Queries(string path) =>
        Panels(Load(path)).SelectMany(p => (p["targets"]?.AsArray() ?? []).Select(t => ((string)p["title"]!, (string)t!["expr"]!)));
}
