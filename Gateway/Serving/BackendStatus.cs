namespace EpdCluster.Gateway.Serving;

/// <summary>A backend's readiness; when not ready, <see cref="Code"/> and <see cref="Message"/> say why (503 body).</summary>
internal sealed record BackendStatus(bool IsReady, string? Code, string? Message)
{
    public static BackendStatus Ready { get; } = new(true, null, null);

    public static BackendStatus NotReady(string code, string message) => new(false, code, message);
}
