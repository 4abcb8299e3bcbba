using SkiaSharp;

namespace EpdCluster.Engine.Imaging;

/// <summary>
/// Turns encoded image bytes into vision-tower input the way InternVL's <c>dynamic_preprocess</c> does:
/// decode, pick a tile grid matching the aspect ratio, resize the whole image onto that grid, cut row-major
/// tiles, add a thumbnail of the whole image when there is more than one tile, and CLIP-normalize to
/// channel-first floats. Options are copied at construction and nothing is shared between calls, so one
/// instance serves concurrent requests.
/// </summary>
public sealed class ImagePreprocessor
{
    private const int Channels = 3;
    private const int BytesPerPixel = 4;

    // Channel order in an RGBA8888 pixel and in a channel-first tile.
    private const int RedChannel = 0;
    private const int GreenChannel = 1;
    private const int BlueChannel = 2;

    private readonly int _tileSize;
    private readonly int _maxTiles;
    private readonly bool _useThumbnail;
    private readonly long _maxImageBytes;
    private readonly long _maxPixels;
    private readonly int _minSide;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the bad setting when <paramref name="options"/> is invalid.</summary>
    public ImagePreprocessor(ImagePreprocessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _tileSize = options.TileSize;
        _maxTiles = options.MaxTiles;
        _useThumbnail = options.UseThumbnail;
        _maxImageBytes = options.MaxImageBytes;
        _maxPixels = options.MaxPixels;
        _minSide = options.MinSide;
        PreprocessId = $"tile{_tileSize}-max{_maxTiles}-thumb{(_useThumbnail ? 1 : 0)}-clip";
    }

    /// <summary>
    /// Names the settings that shape the output (tile size, max tiles, thumbnail, normalization), e.g.
    /// <c>tile224-max6-thumb1-clip</c>; limits that only accept or refuse are not part of it.
    /// </summary>
    public string PreprocessId { get; }

    /// <summary>Same as the span overload; null is refused as <see cref="InvalidImageCode.Empty"/>.</summary>
    public PreprocessedImage Preprocess(byte[]? bytes) => Preprocess(bytes.AsSpan());

    /// <summary>Throws <see cref="InvalidImageException"/> for any input that is not an acceptable image.</summary>
    public PreprocessedImage Preprocess(ReadOnlySpan<byte> bytes)
    {
        using var image = ImageDecoder.Decode(bytes, _maxImageBytes, _maxPixels, _minSide);
        var grid = TileGridSelector.Choose(image.Width, image.Height, _maxTiles, _tileSize);

        // InternVL adds no thumbnail to a single tile: it would repeat that tile.
        var hasThumbnail = _useThumbnail && grid.TileCount > 1;
        var tileFloats = Channels * _tileSize * _tileSize;
        var pixels = new float[(grid.TileCount + (hasThumbnail ? 1 : 0)) * tileFloats];

        using (var resized = ImageResampler.Resize(image.Bitmap, grid.Columns * _tileSize, grid.Rows * _tileSize))
        {
            for (var row = 0; row < grid.Rows; row++)
            {
                for (var column = 0; column < grid.Columns; column++)
                {
                    var tileIndex = (row * grid.Columns) + column;
                    WriteTile(resized, column * _tileSize, row * _tileSize, pixels.AsSpan(tileIndex * tileFloats, tileFloats));
                }
            }
        }

        if (hasThumbnail)
        {
            using var thumbnail = ImageResampler.Resize(image.Bitmap, _tileSize, _tileSize);
            WriteTile(thumbnail, 0, 0, pixels.AsSpan(grid.TileCount * tileFloats, tileFloats));
        }

        return new PreprocessedImage(image.Width, image.Height, grid, hasThumbnail, _tileSize, pixels, PreprocessId);
    }

    /// <summary>Writes the tile whose top-left corner is (left, top) as red, green and blue planes.</summary>
    private void WriteTile(SKBitmap source, int left, int top, Span<float> tile)
    {
        var rgba = source.GetPixelSpan();
        var rowBytes = source.RowBytes;
        var plane = _tileSize * _tileSize;
        var red = tile.Slice(RedChannel * plane, plane);
        var green = tile.Slice(GreenChannel * plane, plane);
        var blue = tile.Slice(BlueChannel * plane, plane);
        for (var y = 0; y < _tileSize; y++)
        {
            var sourceRow = rgba.Slice(((top + y) * rowBytes) + (left * BytesPerPixel), _tileSize * BytesPerPixel);
            var offset = y * _tileSize;
            for (var x = 0; x < _tileSize; x++)
            {
                var pixel = x * BytesPerPixel;
                red[offset + x] = ClipNormalization.Red[sourceRow[pixel + RedChannel]];
                green[offset + x] = ClipNormalization.Green[sourceRow[pixel + GreenChannel]];
                blue[offset + x] = ClipNormalization.Blue[sourceRow[pixel + BlueChannel]];
            }
        }
    }
}
