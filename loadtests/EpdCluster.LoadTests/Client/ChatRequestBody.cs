using System.Text.Json;
using System.Text.Json.Nodes;
using EpdCluster.LoadTests.Configuration;
using EpdCluster.LoadTests.Workloads;

namespace EpdCluster.LoadTests.Client;

/// <summary>The JSON body of a streaming chat completion for one <see cref="LoadRequest"/>.</summary>
internal static class ChatRequestBody
{
    /// <summary>vLLM bench serve samples greedily by default; extra-body can override it.</summary>
    private const double DefaultTemperature = 0.0;

    public static byte[] Build(LoadRequest request, TargetOptions target)
    {
        JsonNode content;
        if (request.Images.Count == 0)
        {
            content = JsonValue.Create(request.Prompt);
        }
        else
        {
            var parts = new JsonArray { new JsonObject { ["type"] = "text", ["text"] = request.Prompt } };
            foreach (var image in request.Images)
            {
                parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = image.ToDataUrl() } });
            }

            content = parts;
        }

        var body = new JsonObject
        {
            ["model"] = target.Model,
            ["messages"] = new JsonArray { new JsonObject { ["role"] = "user", ["content"] = content } },
            ["max_tokens"] = request.MaxTokens,
            ["temperature"] = DefaultTemperature,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        if (target.IgnoreEos)
        {
            body["ignore_eos"] = true;
        }

        foreach (var (name, value) in target.ExtraBody ?? [])
        {
            body[name] = value?.DeepClone();
        }

        return JsonSerializer.SerializeToUtf8Bytes(body);
    }
}
