namespace EpdCluster.Engine.Imaging;

/// <summary>
/// An image the engine refuses: <see cref="Code"/> is one of <see cref="InvalidImageCode"/>'s values for
/// clients to branch on, the message says what was wrong and the limit, for people.
/// </summary>
public sealed class InvalidImageException : Exception
{
    public InvalidImageException(string code, string message)
        : base(message)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
    }

    public InvalidImageException(string code, string message, Exception innerException)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        Code = code;
    }

    /// <summary>Machine-readable reason, e.g. <c>image_too_large</c>; see <see cref="InvalidImageCode"/>.</summary>
    public string Code { get; }
}
