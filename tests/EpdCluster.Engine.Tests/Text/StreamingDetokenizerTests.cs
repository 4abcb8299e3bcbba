using System.Text;
using EpdCluster.Engine.Text;

namespace EpdCluster.Engine.Tests.Text;

public sealed class StreamingDetokenizerTests
{
    private static readonly EpdTokenizer Tokenizer = EpdTokenizer.Shared;

    [Theory]
    [InlineData("😀 opens this line, then 🤖 and 🦀")]
    [InlineData("日本語のテキストです。")]
    [InlineData("A family 👨‍👩‍👧‍👦 and a flag 🇫🇷!")]
    [InlineData("中文 and emoji 🎉🎊\nnext line 한국어")]
    public void Pushing_ids_one_by_one_emits_only_whole_characters_and_rebuilds_the_text(string text)
    {
        var detokenizer = new StreamingDetokenizer(Tokenizer);
        var pieces = Tokenizer.EncodeText(text).Select(detokenizer.Push).ToList();
        var rest = detokenizer.Flush();

        Assert.All(pieces, AssertWellFormed);
        Assert.Contains(string.Empty, pieces);
        Assert.Equal(string.Empty, rest);
        Assert.Equal(text, string.Concat(pieces));
    }

    [Fact]
    public void Special_tokens_produce_no_text_and_do_not_break_a_held_character()
    {
        var detokenizer = new StreamingDetokenizer(Tokenizer);

        Assert.Equal("Hello", detokenizer.Push(15496));
        Assert.Equal(string.Empty, detokenizer.Push(EpdTokenizer.ImEndId));
        Assert.Equal(string.Empty, detokenizer.Push(47249)); // F0 9F 98: first three bytes of 😀
        Assert.Equal(string.Empty, detokenizer.Push(EpdTokenizer.ImageId));
        Assert.Equal("😀", detokenizer.Push(222)); // 0x80
        Assert.Equal(string.Empty, detokenizer.Push(EpdTokenizer.EndOfTextId));
        Assert.Equal(string.Empty, detokenizer.Flush());
    }

    [Fact]
    public void Flush_turns_an_unfinished_character_into_one_replacement_and_resets()
    {
        var detokenizer = new StreamingDetokenizer(Tokenizer);

        Assert.Equal(string.Empty, detokenizer.Push(47249));
        Assert.Equal("\uFFFD", detokenizer.Flush());
        Assert.Equal("Hello", detokenizer.Push(15496));
    }

    [Fact]
    public void Streamed_text_equals_decoding_the_whole_sequence()
    {
        int[] ids =
        [
            EpdTokenizer.ImStartId, .. Tokenizer.EncodeText("assistant\n"), .. Tokenizer.EncodeText("Sure 👍🏽 — ça marche, 好的"),
            EpdTokenizer.ImEndId,
        ];
        var detokenizer = new StreamingDetokenizer(Tokenizer);

        var streamed = string.Concat(ids.Select(detokenizer.Push)) + detokenizer.Flush();

        Assert.Equal("assistant\nSure 👍🏽 — ça marche, 好的", streamed);
        Assert.Equal(Tokenizer.Decode(ids), streamed);
    }

    [Fact]
    public void An_id_outside_the_vocabulary_is_refused()
    {
        var detokenizer = new StreamingDetokenizer(Tokenizer);

        Assert.Throws<ArgumentOutOfRangeException>(() => detokenizer.Push(Tokenizer.VocabularySize));
    }

    private static void AssertWellFormed(string piece)
    {
        Assert.DoesNotContain('\uFFFD', piece);
        for (var i = 0; i < piece.Length; i++)
        {
            if (char.IsHighSurrogate(piece[i]))
            {
                Assert.True(i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]), $"unpaired high surrogate in \"{piece}\"");
                i++;
            }
            else
            {
                Assert.False(char.IsLowSurrogate(piece[i]), $"unpaired low surrogate in \"{piece}\"");
            }
        }

        Assert.Equal(piece, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(piece)));
    }
}
