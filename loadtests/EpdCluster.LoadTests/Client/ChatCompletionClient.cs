using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EpdCluster.LoadTests.Configuration;

namespace EpdCluster.LoadTests.Client;

/// <summary>
/// Sends one streaming chat completion and times it from the SSE stream: TTFT at the first chunk with content, a gap per
/// further content chunk (ITL), the last content chunk for TPOT, and the end of the stream for E2E latency. Token counts come
/// from the final <c>usage</c> chunk (<c>stream_options.include_usage</c>).
/// </summary>
internal sealed class ChatCompletionClient(HttpClient http, TargetOptions target)
{
    /// <summary>Error bodies are read only this far: enough for a message, bounded for a misbehaving server.</summary>
    private const int ErrorBodyChars = 1024;

    /// <summary>How long opening a TCP connection may take before the request counts as a connection error.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An HTTP client that only talks to the URL it is given: no proxy from the environment, no redirects, no cookies; no
    /// per-connection limit, since the step's concurrency is the only limit that should apply.
    /// </summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = ConnectTimeout,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public async Task<RequestOutcome> SendAsync(int index, byte[] body, int images, int maxTokens, long stepStartTimestamp, CancellationToken stepToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stepToken);
        timeout.CancelAfter(target.RequestTimeout);
        var recorder = new StreamRecorder(index, images, maxTokens);
        using var message = new HttpRequestMessage(HttpMethod.Post, target.RequestUri) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (!string.IsNullOrEmpty(target.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", target.ApiKey);
        }

        recorder.Start = Stopwatch.GetTimestamp();
        recorder.StartOffsetSeconds = Stopwatch.GetElapsedTime(stepStartTimestamp, recorder.Start).TotalSeconds;
        var responseStarted = false;
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            responseStarted = true;
            if (!response.IsSuccessStatusCode)
            {
                var text = await ReadErrorBodyAsync(response, timeout.Token);
                return recorder.Fail(RequestErrorKind.HttpStatus, $"HTTP {(int)response.StatusCode}: {text}", (int)response.StatusCode);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                var now = Stopwatch.GetTimestamp();
                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue; // blank separators, comments (":"), event: and id: lines carry no tokens
                }

                var data = line.AsSpan(5).Trim();
                if (data.SequenceEqual("[DONE]"))
                {
                    return recorder.Succeed();
                }

                if (recorder.ReadChunk(data, now) is { } streamError)
                {
                    return recorder.Fail(RequestErrorKind.StreamError, streamError);
                }
            }

            return recorder.Fail(RequestErrorKind.Incomplete, "the stream ended without data: [DONE]");
        }
        catch (OperationCanceledException) when (stepToken.IsCancellationRequested)
        {
            return recorder.Fail(RequestErrorKind.Cancelled, "the step reached its time limit");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return recorder.Fail(RequestErrorKind.Timeout, $"no end of stream within {target.RequestTimeout.TotalSeconds:0.#} s");
        }
        catch (OperationCanceledException e)
        {
            // Neither token fired: the handler gave up by itself, e.g. its connect timeout.
            return recorder.Fail(responseStarted ? RequestErrorKind.Incomplete : RequestErrorKind.Connection, e.Message);
        }
        catch (JsonException e)
        {
            return recorder.Fail(RequestErrorKind.Protocol, $"a chunk is not the expected JSON: {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return recorder.Fail(responseStarted ? RequestErrorKind.Incomplete : RequestErrorKind.Connection, e.Message);
        }
    }

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken token)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var buffer = new char[ErrorBodyChars];
            var read = await reader.ReadBlockAsync(buffer, token);
            return new string(buffer, 0, read).ReplaceLineEndings(" ").Trim();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "(no body)";
        }
    }
}
