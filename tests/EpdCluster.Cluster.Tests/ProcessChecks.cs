namespace EpdCluster.Cluster.Tests;

internal static class ProcessChecks
{
    /// <summary>
    /// True while <paramref name="pid"/> is a live process. A zombie (exited, not yet reaped by its new parent)
    /// counts as stopped: it holds no memory, ports or files.
    /// </summary>
    public static bool IsRunning(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // Format: "pid (comm) state ..."; comm may contain spaces or parentheses, so read after the last ')'.
        var state = stat[(stat.LastIndexOf(')') + 2)..][0];
        return state is not ('Z' or 'X');
    }
}
