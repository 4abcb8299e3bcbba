using System.Text.Json;

namespace EpdCluster.Gateway.Tests;

/// <summary>Splits an SSE body into its <c>data:</c> payloads, asserting the framing on the way.</summary>
internal static class ServerSentEvents
{
    public const string Done = "[DONE]";

    /// <summary>Each event must be exactly one <c>data: …</c> line followed by a blank line.</summary>
    public static List<string> Parse(string body)
    {
        Assert.EndsWith("\n\n", body);
        var events = body[..^2].Split("\n\n");
        var payloads = new List<string>();
        foreach (var item in events)
        {
            Assert.StartsWith("data: ", item);
            Assert.DoesNotContain('\n', item);
            payloads.Add(item["data: ".Length..]);
        }

        return payloads;
    }

    /// <summary>The JSON events (everything but the final <c>[DONE]</c>, which must be there and last).</summary>
    public static List<JsonElement> ParseJsonEvents(string body)
    {
        var payloads = Parse(body);
        Assert.Equal(Done, payloads[^1]);
        Assert.Single(payloads, p => p == Done);
        return [.. payloads[..^1].Select(p => JsonDocument.Parse(p).RootElement.Clone())];
    }
}
