using System.Security.Cryptography;
using System.Text;
using EpdCluster.Engine.Imaging;

namespace EpdCluster.Engine.Tests.Imaging;

public sealed class ImageContentHashTests
{
    private static readonly byte[] Bytes = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 250];

    [Fact]
    public void Equals_sha256_of_the_bytes_followed_by_the_preprocess_id()
    {
        var expected = Convert.ToHexString(SHA256.HashData([.. Bytes, .. Encoding.UTF8.GetBytes("tile224-max6-thumb1-clip")])).ToLowerInvariant();

        var hash = ImageContentHash.Compute(Bytes, "tile224-max6-thumb1-clip");

        Assert.Equal(expected, hash);
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public void Same_bytes_and_id_give_the_same_hash_and_a_different_id_or_byte_a_different_one()
    {
        var hash = ImageContentHash.Compute(Bytes, "tile224-max6-thumb1-clip");

        Assert.Equal(hash, ImageContentHash.Compute((byte[])Bytes.Clone(), "tile224-max6-thumb1-clip"));
        Assert.NotEqual(hash, ImageContentHash.Compute(Bytes, "tile224-max6-thumb0-clip"));
        Assert.NotEqual(hash, ImageContentHash.Compute(Bytes[..^1], "tile224-max6-thumb1-clip"));
        Assert.NotEqual(hash, ImageContentHash.Compute(Bytes, ""));
    }

    [Fact]
    public void Empty_id_hashes_the_bytes_alone()
    {
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Bytes)).ToLowerInvariant(), ImageContentHash.Compute(Bytes, ""));
    }
}
