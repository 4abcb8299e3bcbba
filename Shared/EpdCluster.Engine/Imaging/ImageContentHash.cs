using System.Security.Cryptography;
using System.Text;

namespace EpdCluster.Engine.Imaging;

/// <summary>Cache key of a preprocessed image: the same bytes preprocessed differently must not share an entry.</summary>
public static class ImageContentHash
{
    /// <summary>Lowercase hex SHA-256 of <paramref name="imageBytes"/> followed by the UTF-8 bytes of <paramref name="preprocessId"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> imageBytes, string preprocessId)
    {
        ArgumentNullException.ThrowIfNull(preprocessId);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(imageBytes);
        hash.AppendData(Encoding.UTF8.GetBytes(preprocessId));
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }
}
