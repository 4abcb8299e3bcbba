using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace EpdCluster.Engine.Tests.Imaging;

/// <summary>Builds test images: encoded by SkiaSharp, or written byte by byte where the test needs control of the header.</summary>
internal static class TestImages
{
    public static SKBitmap Bitmap(int width, int height, Func<int, int, SKColor> colorAt)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var rgba = bitmap.GetPixelSpan();
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var color = colorAt(x, y);
                var pixel = rgba.Slice((y * bitmap.RowBytes) + (x * 4), 4);
                (pixel[0], pixel[1], pixel[2], pixel[3]) = (color.Red, color.Green, color.Blue, color.Alpha);
            }
        }

        return bitmap;
    }

    public static byte[] Encode(int width, int height, Func<int, int, SKColor> colorAt, SKEncodedImageFormat format)
    {
        using var bitmap = Bitmap(width, height, colorAt);
        return Encode(bitmap, format);
    }

    public static byte[] Solid(int width, int height, SKColor color, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        Encode(width, height, (_, _) => color, format);

    /// <summary>PNG and lossless WebP keep every value; JPEG at quality 100 stays within a few levels.</summary>
    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format)
    {
        using var pixmap = bitmap.PeekPixels();
        using var data = format switch
        {
            SKEncodedImageFormat.Webp => pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100)),
            SKEncodedImageFormat.Jpeg => pixmap.Encode(new SKJpegEncoderOptions(100)),
            _ => pixmap.Encode(SKEncodedImageFormat.Png, 100),
        };
        Assert.NotNull(data);
        return data.ToArray();
    }

    /// <summary>
    /// A 2×2 GIF89a, palette {0: red, 1: blue}, pixels row by row: red, blue / blue, red.
    /// LZW (minimum code size 2: clear = 4, end = 5) codes 4, 0, 1, 1 at 3 bits, then 0, 5 at 4 bits
    /// (the table reached 8 entries), packed least significant bit first: 0x44 0x02 0x05.
    /// </summary>
    public static byte[] Gif2x2() =>
    [
        .. "GIF89a"u8,
        0x02, 0x00, 0x02, 0x00, // logical screen 2 × 2
        0x80, 0x00, 0x00,       // global colour table of 2 entries, background 0, no aspect
        0xFF, 0x00, 0x00,       // 0: red
        0x00, 0x00, 0xFF,       // 1: blue
        0x2C, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, // image at (0, 0), 2 × 2, no local table
        0x02,                   // LZW minimum code size
        0x03, 0x44, 0x02, 0x05, // one 3-byte data block
        0x00,                   // end of image data
        0x3B,                   // trailer
    ];

    /// <summary>The 2×2 GIF with its logical screen and image claiming <paramref name="side"/> × <paramref name="side"/>.</summary>
    public static byte[] GifClaiming(ushort side)
    {
        var gif = Gif2x2();
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(6), side);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(8), side);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(24), side);
        BinaryPrimitives.WriteUInt16LittleEndian(gif.AsSpan(26), side);
        return gif;
    }

    /// <summary>
    /// A PNG whose IHDR declares width × height 8-bit RGB, followed by one IDAT holding an empty zlib
    /// stream and IEND, each with a correct CRC: the header is valid, the pixel data is not there.
    /// </summary>
    public static byte[] PngWithHeader(uint width, uint height)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type RGB
        // compression, filter and interlace methods stay 0
        byte[] emptyZlib = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
        return [.. PngSignature, .. Chunk("IHDR", ihdr), .. Chunk("IDAT", emptyZlib), .. Chunk("IEND", [])];
    }

    public static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A PNG chunk: big-endian length, type, data, CRC-32 of type and data.</summary>
    public static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>CRC-32 as PNG defines it (ISO 3309, reflected polynomial 0xEDB88320), bit by bit.</summary>
    public static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>A 2×2 24-bit BMP, all white: a real image in a format the engine does not accept.</summary>
    public static byte[] Bmp2x2()
    {
        const int rowBytes = 8; // 2 pixels × 3 bytes, padded to 4
        const int pixelOffset = 14 + 40;
        var bmp = new byte[pixelOffset + (2 * rowBytes)];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), pixelOffset);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40); // BITMAPINFOHEADER size
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), 2);  // width
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), 2);  // height
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);  // planes
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24); // bits per pixel
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), 2 * rowBytes);
        for (var row = 0; row < 2; row++)
        {
            bmp.AsSpan(pixelOffset + (row * rowBytes), 6).Fill(0xFF);
        }

        return bmp;
    }

    /// <summary>
    /// Inserts an EXIF APP1 segment with one Orientation entry (tag 0x0112, SHORT) right after the JPEG's
    /// SOI marker. TIFF header big-endian ("MM"), IFD at offset 8.
    /// </summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        byte[] tiff =
        [
            .. "MM"u8, 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // byte order, magic 42, IFD offset 8
            0x00, 0x01,                                     // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, // Orientation, SHORT, count 1
            (byte)(orientation >> 8), (byte)orientation, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,                         // no next IFD
        ];
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var segmentLength = payload.Length + 2; // the length field counts itself
        byte[] app1 = [0xFF, 0xE1, (byte)(segmentLength >> 8), (byte)segmentLength, .. payload];
        Assert.True(jpeg[0] == 0xFF && jpeg[1] == 0xD8, "not a JPEG");
        return [.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)];
    }
}
