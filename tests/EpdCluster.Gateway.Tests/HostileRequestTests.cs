using System.Net;
using System.Text;
using System.Text.Json;

namespace EpdCluster.Gateway.Tests;

/// <summary>
/// Malformed and hostile requests: each gets its 4xx with an error object naming the problem, and the gateway
/// keeps serving (health and a normal request) afterwards.
/// </summary>
public sealed class HostileRequestTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private const string Chat = "/v1/chat/completions";
    private const string Completions = "/v1/completions";

    public static TheoryData<string, string, string, int, string, string?> Cases { get; } = BuildCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_request_gets_its_error_and_the_gateway_keeps_serving(string name, string path, string body, int status, string code, string? param)
    {
        using var response = await gateway.PostJsonAsync(path, body);

        var error = await ErrorAssert.IsErrorAsync(response, (HttpStatusCode)status, code, param);
        Assert.False(string.IsNullOrWhiteSpace(name));
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());

        using var health = await gateway.Http.GetAsync("/health");
        using var normal = await gateway.PostJsonAsync(Chat, """{"model":"epd-tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":1}""");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
        await Poll.UntilAsync(() => gateway.Admission.Running, running => running == 0);
    }

    private static TheoryData<string, string, string, int, string, string?> BuildCases()
    {
        var png = TestImages.DataUrl(TestImages.Png(8, 8));
        var truncatedPng = TestImages.Png(64, 64);
        truncatedPng = truncatedPng[..(truncatedPng.Length / 2)];
        var data = new TheoryData<string, string, string, int, string, string?>();

        void Add(string name, string body, string code, string? param = null, string path = Chat, int status = 400) =>
            data.Add(name, path, body, status, code, param);

        string WithMessages(string messages, string extra = "") => $$"""{"model":"epd-tiny","max_tokens":2{{extra}},"messages":{{messages}}}""";
        string WithUser(string content) => WithMessages($$"""[{"role":"user","content":{{content}}}]""");
        string WithParam(string param) => WithMessages("""[{"role":"user","content":"Hi"}]""", "," + param);
        string WithImage(string url) => WithUser($$$"""[{"type":"text","text":"What is it?"},{"type":"image_url","image_url":{"url":{{{JsonSerializer.Serialize(url)}}}}}]""");

        // Not JSON, or not an object.
        Add("not JSON", "this is not json", "invalid_json");
        Add("empty body", "", "invalid_json");
        Add("truncated JSON", """{"model":"epd-tiny","messages":[{"role":"user","content":"Hi"}]""", "invalid_json");
        Add("array body", "[]", "invalid_json");
        Add("string body", "\"hello\"", "invalid_json");
        Add("nested 100 deep", new string('[', 100) + new string(']', 100), "invalid_json");
        Add("trailing comma", """{"model":"epd-tiny","messages":[],}""", "invalid_json");

        // Model.
        Add("no model", """{"messages":[{"role":"user","content":"Hi"}]}""", "missing_required_parameter", "model");
        Add("model is a number", """{"model":42,"messages":[{"role":"user","content":"Hi"}]}""", "invalid_type", "model");
        Add("unknown model", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""", "model_not_found", "model", status: 404);

        // Messages.
        Add("no messages", """{"model":"epd-tiny"}""", "missing_required_parameter", "messages");
        Add("empty messages", WithMessages("[]"), "invalid_value", "messages");
        Add("messages is a string", WithMessages("\"Hi\""), "invalid_type", "messages");
        Add("messages is an object", WithMessages("""{"role":"user","content":"Hi"}"""), "invalid_type", "messages");
        Add("null message", WithMessages("[null]"), "invalid_type", "messages[0]");
        Add("number message", WithMessages("[42]"), "invalid_type", "messages[0]");
        Add("no role", WithMessages("""[{"content":"Hi"}]"""), "missing_required_parameter", "messages[0].role");
        Add("unknown role", WithMessages("""[{"role":"wizard","content":"Hi"}]"""), "invalid_value", "messages[0].role");
        Add("tool role", WithMessages("""[{"role":"tool","content":"Hi"}]"""), "unsupported_parameter", "messages[0].role");
        Add("role is a number", WithMessages("""[{"role":5,"content":"Hi"}]"""), "invalid_type", "messages[0].role");
        Add("user without content", WithMessages("""[{"role":"user"}]"""), "missing_required_parameter", "messages[0].content");
        Add("content is a number", WithUser("42"), "invalid_type", "messages[0].content");
        Add("content part is a string", WithUser("""["Hi"]"""), "invalid_type", "messages[0].content[0]");
        Add("content part without type", WithUser("""[{"text":"Hi"}]"""), "missing_required_parameter", "messages[0].content[0].type");
        Add("audio content part", WithUser("""[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]"""), "unsupported_parameter", "messages[0].content[0].type");
        Add("text part text is a number", WithUser("""[{"type":"text","text":5}]"""), "invalid_type", "messages[0].content[0].text");
        Add("image part without image_url", WithUser("""[{"type":"image_url"}]"""), "missing_required_parameter", "messages[0].content[0].image_url");
        Add("image_url is a string", WithUser($$"""[{"type":"image_url","image_url":"{{png}}"}]"""), "invalid_type", "messages[0].content[0].image_url");
        Add("image_url without url", WithUser("""[{"type":"image_url","image_url":{}}]"""), "missing_required_parameter", "messages[0].content[0].image_url.url");
        Add("unknown detail", WithUser($$$"""[{"type":"image_url","image_url":{"url":"{{{png}}}","detail":"ultra"}}]"""), "invalid_value", "messages[0].content[0].image_url.detail");
        Add("image in a system message", WithMessages($$$"""[{"role":"system","content":[{"type":"image_url","image_url":{"url":"{{{png}}}"}}]},{"role":"user","content":"Hi"}]"""), "invalid_value", "messages[0].content[0]");
        Add("image in an assistant message", WithMessages($$$"""[{"role":"user","content":"Hi"},{"role":"assistant","content":[{"type":"image_url","image_url":{"url":"{{{png}}}"}}]}]"""), "invalid_value", "messages[1].content[0]");

        // Images: no fetching, only real, bounded images.
        Add("http image URL", WithImage("http://169.254.169.254/latest/meta-data"), "image_url_not_allowed", "messages[0].content[1].image_url");
        Add("https image URL", WithImage("https://example.com/cat.png"), "image_url_not_allowed", "messages[0].content[1].image_url");
        Add("file image URL", WithImage("file:///etc/passwd"), "invalid_image_url", "messages[0].content[1].image_url");
        Add("data URL of text/plain", WithImage("data:text/plain;base64,aGVsbG8="), "unsupported_image_media_type", "messages[0].content[1].image_url");
        Add("data URL of SVG", WithImage("data:image/svg+xml;base64,PHN2Zy8+"), "unsupported_image_media_type", "messages[0].content[1].image_url");
        Add("data URL not base64", WithImage("data:image/png,rawbytes"), "invalid_image_url", "messages[0].content[1].image_url");
        Add("data URL without comma", WithImage("data:image/png;base64"), "invalid_image_url", "messages[0].content[1].image_url");
        Add("bad base64", WithImage("data:image/png;base64,!!!not-base64!!!"), "invalid_base64", "messages[0].content[1].image_url");
        Add("empty image", WithImage("data:image/png;base64,"), "image_empty", "messages[0].content[1].image_url");
        Add("non-image bytes", WithImage(TestImages.DataUrl(Encoding.UTF8.GetBytes("definitely not an image, just text"))), "image_unsupported_format", "messages[0].content[1].image_url");
        Add("truncated PNG", WithImage(TestImages.DataUrl(truncatedPng)), "image_corrupt", "messages[0].content[1].image_url");
        Add("20000 x 20000 PNG header", WithImage(TestImages.DataUrl(TestImages.PngWithHeader(20000, 20000))), "image_too_many_pixels", "messages[0].content[1].image_url");
        Add("nine images", WithUser("[" + string.Join(",", Enumerable.Repeat($$$"""{"type":"image_url","image_url":{"url":"{{{png}}}"}}""", 9)) + "]"), "too_many_images", "messages");

        // Sampling parameters.
        Add("max_tokens as a string", WithParam("\"max_tokens\":\"10\""), "invalid_type", "max_tokens");
        Add("max_tokens negative", WithParam("\"max_tokens\":-1"), "invalid_value", "max_tokens");
        Add("max_tokens zero", WithParam("\"max_tokens\":0"), "invalid_value", "max_tokens");
        Add("max_tokens above the limit", WithParam("\"max_tokens\":100000"), "invalid_value", "max_tokens");
        Add("max_tokens beyond int", WithParam("\"max_tokens\":1e12"), "invalid_type", "max_tokens");
        Add("max_tokens fractional", WithParam("\"max_tokens\":10.5"), "invalid_type", "max_tokens");
        Add("max_completion_tokens zero", WithParam("\"max_completion_tokens\":0"), "invalid_value", "max_completion_tokens");
        Add("temperature 5", WithParam("\"temperature\":5"), "invalid_value", "temperature");
        Add("temperature negative", WithParam("\"temperature\":-0.5"), "invalid_value", "temperature");
        Add("temperature as a string", WithParam("\"temperature\":\"hot\""), "invalid_type", "temperature");
        Add("top_p 0", WithParam("\"top_p\":0"), "invalid_value", "top_p");
        Add("top_p above 1", WithParam("\"top_p\":1.5"), "invalid_value", "top_p");
        Add("top_k below -1", WithParam("\"top_k\":-5"), "invalid_value", "top_k");
        Add("n 2", WithParam("\"n\":2"), "unsupported_parameter", "n");
        Add("n 0", WithParam("\"n\":0"), "unsupported_parameter", "n");
        Add("seed out of range", WithParam("\"seed\":1e30"), "invalid_type", "seed");
        Add("seed as a string", WithParam("\"seed\":\"42\""), "invalid_type", "seed");
        Add("five stop strings", WithParam("\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"), "invalid_value", "stop");
        Add("stop entry a number", WithParam("\"stop\":[1]"), "invalid_type", "stop[0]");
        Add("empty stop string", WithParam("\"stop\":\"\""), "invalid_value", "stop");
        Add("stop an object", WithParam("\"stop\":{}"), "invalid_type", "stop");
        Add("stream as a string", WithParam("\"stream\":\"yes\""), "invalid_type", "stream");
        Add("stream_options without stream", WithParam("\"stream_options\":{\"include_usage\":true}"), "invalid_value", "stream_options");
        Add("stream_options a number", WithParam("\"stream\":true,\"stream_options\":5"), "invalid_type", "stream_options");
        Add("logprobs true", WithParam("\"logprobs\":true"), "unsupported_parameter", "logprobs");
        Add("tools", WithParam("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]"), "unsupported_parameter", "tools");
        Add("json mode", WithParam("\"response_format\":{\"type\":\"json_object\"}"), "unsupported_parameter", "response_format");

        // Legacy completions.
        Add("completion without prompt", """{"model":"epd-tiny"}""", "missing_required_parameter", "prompt", Completions);
        Add("completion prompt array", """{"model":"epd-tiny","prompt":["a","b"]}""", "unsupported_parameter", "prompt", Completions);
        Add("completion prompt tokens", """{"model":"epd-tiny","prompt":[1,2,3]}""", "unsupported_parameter", "prompt", Completions);
        Add("completion prompt a number", """{"model":"epd-tiny","prompt":42}""", "invalid_type", "prompt", Completions);
        Add("completion empty prompt", """{"model":"epd-tiny","prompt":""}""", "invalid_value", "prompt", Completions);
        Add("completion echo", """{"model":"epd-tiny","prompt":"Hi","echo":true}""", "unsupported_parameter", "echo", Completions);
        Add("completion best_of 3", """{"model":"epd-tiny","prompt":"Hi","best_of":3}""", "unsupported_parameter", "best_of", Completions);
        return data;
    }
}
