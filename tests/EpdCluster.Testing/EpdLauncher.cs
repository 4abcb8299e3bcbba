using System.Diagnostics;

namespace EpdCluster.Testing;

/// <summary>
/// Runs the repository's <c>./epd</c> script against a private state folder, so a test starts and stops
/// real processes exactly as a user would, without touching a cluster the user may have running.
/// </summary>
public sealed class EpdLauncher : IDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(4);

    public EpdLauncher()
    {
        StateDirectory = Directory.CreateTempSubdirectory("epd-test-").FullName;
    }

    /// <summary>Pid files, logs and the gateway URL of the processes this launcher started.</summary>
    public string StateDirectory { get; }

    public string LogsDirectory => Path.Combine(StateDirectory, "logs");

    /// <summary>The gateway URL that <c>up</c> wrote, e.g. <c>http://127.0.0.1:43210</c>.</summary>
    public Uri GatewayUrl => new(File.ReadAllText(Path.Combine(StateDirectory, "run", "gateway.url")).Trim());

    /// <summary>Process id per started name (redis, encode-1, ..., gateway) from the pid files.</summary>
    public IReadOnlyDictionary<string, int> ReadPids()
    {
        var run = Path.Combine(StateDirectory, "run");
        return Directory.Exists(run)
            ? Directory.EnumerateFiles(run, "*.pid").ToDictionary(p => Path.GetFileNameWithoutExtension(p), p => int.Parse(File.ReadAllText(p).Trim()))
            : new Dictionary<string, int>();
    }

    /// <summary>Runs <c>./epd ARGS --state-dir DIR --configuration C</c> and waits for it.</summary>
    public async Task<CommandResult> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryLayout.Root, "epd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryLayout.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--state-dir");
        start.ArgumentList.Add(StateDirectory);
        start.ArgumentList.Add("--configuration");
        start.ArgumentList.Add(RepositoryLayout.BuildConfiguration);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ./epd");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"./epd {string.Join(' ', args)} did not finish within {DefaultTimeout}.");
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <c>./epd up ARGS --no-build</c> and throws with the output and the logs if it fails.</summary>
    public async Task UpAsync(params string[] args)
    {
        var result = await RunAsync(["up", "--no-build", .. args]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"./epd up failed ({result.ExitCode}):\n{result.Combined}\n{ReadLogs()}");
        }
    }

    /// <summary>The tail of every process log, for failure messages.</summary>
    public string ReadLogs()
    {
        if (!Directory.Exists(LogsDirectory))
        {
            return "(no logs)";
        }

        return string.Join('\n', Directory.EnumerateFiles(LogsDirectory, "*.log").Select(f =>
            $"--- {Path.GetFileName(f)} ---\n{string.Join('\n', File.ReadLines(f).TakeLast(40))}"));
    }

    /// <summary>Stops whatever is still running and removes the state folder.</summary>
    public void Dispose()
    {
        RunAsync("down").GetAwaiter().GetResult();
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A log still being flushed by an exiting process; the temp folder is harmless.
        }
    }
}
