using EpdCluster.Engine.Imaging;

namespace EpdCluster.Engine.Tests.Imaging;

public sealed class ImagePreprocessOptionsTests
{
    [Fact]
    public void Defaults_are_the_documented_values_and_valid()
    {
        var options = new ImagePreprocessOptions();

        Assert.Equal(224, options.TileSize);
        Assert.Equal(6, options.MaxTiles);
        Assert.True(options.UseThumbnail);
        Assert.Equal(20 * 1024 * 1024, options.MaxImageBytes);
        Assert.Equal(7680 * 4320, options.MaxPixels);
        Assert.Equal(1, options.MinSide);
        options.Validate();
    }

    [Theory]
    [InlineData(nameof(ImagePreprocessOptions.TileSize), 0)]
    [InlineData(nameof(ImagePreprocessOptions.TileSize), -224)]
    [InlineData(nameof(ImagePreprocessOptions.TileSize), 1025)]
    [InlineData(nameof(ImagePreprocessOptions.MaxTiles), 0)]
    [InlineData(nameof(ImagePreprocessOptions.MaxTiles), -1)]
    [InlineData(nameof(ImagePreprocessOptions.MaxTiles), 65)]
    [InlineData(nameof(ImagePreprocessOptions.MaxImageBytes), 0)]
    [InlineData(nameof(ImagePreprocessOptions.MaxImageBytes), -1)]
    [InlineData(nameof(ImagePreprocessOptions.MaxPixels), 0)]
    [InlineData(nameof(ImagePreprocessOptions.MinSide), 0)]
    public void Validate_rejects_the_bad_setting_by_name(string setting, long value)
    {
        var options = new ImagePreprocessOptions();
        typeof(ImagePreprocessOptions).GetProperty(setting)!.SetValue(options, Convert.ChangeType(value, typeof(ImagePreprocessOptions).GetProperty(setting)!.PropertyType));

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains($"Epd:Imaging:{setting}", error.Message);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1024, 64)]
    public void Validate_accepts_the_bounds(int tileSize, int maxTiles)
    {
        var options = new ImagePreprocessOptions { TileSize = tileSize, MaxTiles = maxTiles };

        Assert.Null(Record.Exception(options.Validate));
    }
}
