using System.Net;
using System.Text.Json;

namespace EpdCluster.Gateway.Tests;

/// <summary>Checks OpenAI error responses: status, JSON content type, and an error object with message, type, param, code.</summary>
internal static class ErrorAssert
{
    public static async Task<JsonElement> IsErrorAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null, string? param = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = IsErrorObject(body);
        if (code is not null)
        {
            Assert.Equal(code, error.GetProperty("code").GetString());
        }

        if (param is not null)
        {
            Assert.Equal(param, error.GetProperty("param").GetString());
        }

        return error;
    }

    /// <summary><c>{"error": {"message": non-empty, "type": non-empty, "param", "code"}}</c> with nothing of a stack trace.</summary>
    public static JsonElement IsErrorObject(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        var error = root.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
        Assert.True(error.TryGetProperty("param", out _), "the error object has no 'param'");
        Assert.True(error.TryGetProperty("code", out _), "the error object has no 'code'");
        Assert.DoesNotContain(" at EpdCluster.", json);
        Assert.DoesNotContain("Exception", json);
        return error.Clone();
    }
}
