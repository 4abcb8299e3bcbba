using System.Security.Cryptography;
using System.Text;
using EpdCluster.Gateway.Hosting;

namespace EpdCluster.Gateway.OpenAi;

/// <summary>
/// Checks <c>Authorization: Bearer KEY</c> against the configured keys in constant time: both sides are hashed
/// to equal-length digests and every key is compared, so timing reveals neither a key's length nor which key
/// matched. Keys are never logged.
/// </summary>
internal sealed class ApiKeyValidator(GatewayOptions options)
{
    private const string BearerScheme = "Bearer ";

    private readonly byte[][] _keyDigests = [.. options.ApiKeys.Select(key => SHA256.HashData(Encoding.UTF8.GetBytes(key)))];

    /// <summary>False when no keys are configured: the API is open.</summary>
    public bool IsEnabled => _keyDigests.Length > 0;

    /// <summary>Null when the request may pass, otherwise the 401 to answer.</summary>
    public OpenAiException? Check(HttpRequest request)
    {
        if (!IsEnabled)
        {
            return null;
        }

        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerScheme, StringComparison.OrdinalIgnoreCase) || header.Length == BearerScheme.Length)
        {
            return OpenAiErrors.MissingApiKey();
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[BearerScheme.Length..].Trim()));
        var matched = false;
        foreach (var digest in _keyDigests)
        {
            matched |= CryptographicOperations.FixedTimeEquals(presented, digest);
        }

        return matched ? null : OpenAiErrors.InvalidApiKey();
    }
}
