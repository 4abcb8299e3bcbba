using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EpdCluster.LoadTests.Tests;

/// <summary>
/// A chat-completions server on 127.0.0.1 (Kestrel, a free port) that streams SSE with scripted timing: the first token
/// TTFT after arrival, each further token its scripted gap after the previous one.
/// With <c>serial</c>, requests are served one at a time, queueing behind each other: TTFT then grows with load.
/// </summary>
internal sealed class ScriptedChatServer : IAsyncDisposable
{
    /// <summary>Longer than a timer's early firing; short enough that spinning costs little.</summary>
    private static readonly TimeSpan SpinMargin = TimeSpan.FromMilliseconds(2);

    private const int SpinIterations = 50;

    private readonly WebApplication _app;
    private readonly Func<JsonObject, ResponseScript> _script;
    private readonly SemaphoreSlim? _serial;
    private int _inFlight;
    private int _peakInFlight;

    private ScriptedChatServer(WebApplication app, Func<JsonObject, ResponseScript> script, bool serial)
    {
        _app = app;
        _script = script;
        _serial = serial ? new SemaphoreSlim(1, 1) : null;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public List<JsonObject> Bodies { get; } = [];

    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>Starts a server; by default each request's script is read from its prompt (see <see cref="PromptScripts"/>).</summary>
    public static async Task<ScriptedChatServer> StartAsync(Func<JsonObject, ResponseScript>? script = null, bool serial = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ScriptedChatServer(app, script ?? (body => PromptScripts.Read(PromptOf(body))), serial);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address);
        return server;
    }

    public static string PromptOf(JsonObject body)
    {
        var content = body["messages"]![0]!["content"]!;
        return content is JsonArray parts ? parts[0]!["text"]!.GetValue<string>() : content.GetValue<string>();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrival = Stopwatch.GetTimestamp();
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        lock (Bodies)
        {
            Bodies.Add(body);
        }

        var script = _script(body);
        if (script.Status != 200)
        {
            context.Response.StatusCode = script.Status;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "scripted failure", code = script.Status } });
            return;
        }

        if (_serial is not null)
        {
            await _serial.WaitAsync();
        }

        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var peak = Volatile.Read(ref _peakInFlight); inFlight > peak; peak = Volatile.Read(ref _peakInFlight))
        {
            Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak);
        }

        try
        {
            // A serial server starts its schedule when the request gets its turn: time spent queueing adds to TTFT.
            var start = _serial is null ? arrival : Stopwatch.GetTimestamp();
            await StreamAsync(context, script, start);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _serial?.Release();
        }
    }

    private static async Task StreamAsync(HttpContext context, ResponseScript script, long start)
    {
        context.Response.ContentType = "text/event-stream";
        // The first token is due TTFT after the start; each later one a gap after the previous one was written, so every
        // measured gap is at least its scripted value and lateness shows up as a slightly longer gap, never a shorter one.
        var previous = start;
        for (var chunk = 0; chunk < script.Chunks; chunk++)
        {
            await WaitUntilAsync(previous, TimeSpan.FromMilliseconds(chunk == 0 ? script.TtftMs : script.GapsMs[chunk - 1]));

            if (chunk == script.ErrorAfterChunks)
            {
                await WriteEventAsync(context, new { error = new { message = "scripted stream error" } });
                return;
            }

            if (chunk == script.CutAfterChunks)
            {
                return;
            }

            var text = string.Concat(Enumerable.Repeat("tok ", script.TokensPerChunk));
            await WriteEventAsync(context, new { id = "chatcmpl-test", @object = "chat.completion.chunk", choices = new[] { new { index = 0, delta = new { content = text } } } });
            previous = Stopwatch.GetTimestamp();
        }

        if (script.SendUsage)
        {
            await WriteEventAsync(context, new
            {
                id = "chatcmpl-test",
                choices = Array.Empty<object>(),
                usage = new
                {
                    prompt_tokens = script.PromptTokens,
                    completion_tokens = script.Chunks * script.TokensPerChunk,
                    total_tokens = script.PromptTokens + (script.Chunks * script.TokensPerChunk),
                    prompt_tokens_details = new { cached_tokens = 0, image_tokens = script.ImageTokens },
                },
            });
        }

        await context.Response.WriteAsync("data: [DONE]\n\n");
        await context.Response.Body.FlushAsync();
    }

    /// <summary>Timers can fire a millisecond early; sleep to just short of the due time, then spin the rest so no token is early.</summary>
    private static async Task WaitUntilAsync(long from, TimeSpan due)
    {
        var sleep = due - Stopwatch.GetElapsedTime(from) - SpinMargin;
        if (sleep > TimeSpan.Zero)
        {
            await Task.Delay(sleep);
        }

        while (Stopwatch.GetElapsedTime(from) < due)
        {
            Thread.SpinWait(SpinIterations);
        }
    }

    private static async Task WriteEventAsync(HttpContext context, object payload)
    {
        await context.Response.WriteAsync("data: " + JsonSerializer.Serialize(payload) + "\n\n", Encoding.UTF8);
        await context.Response.Body.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _serial?.Dispose();
    }
}
