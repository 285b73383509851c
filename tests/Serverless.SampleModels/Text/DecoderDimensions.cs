namespace Serverless.SampleModels.Text;

/// <summary>
/// The size of a generated decoder: <see cref="Layers"/> blocks of <see cref="Heads"/> × <see cref="HeadSize"/>
/// attention and a 4× MLP, learned positions up to <see cref="ContextLength"/>, tied input and output embeddings.
/// </summary>
public sealed record DecoderDimensions(int Layers, int Heads, int HeadSize, int ContextLength)
{
    /// <summary>The committed sample (models/tiny-chat): about 40K weights, microseconds a token.</summary>
    public static readonly DecoderDimensions Tiny = new(Layers: 2, Heads: 4, HeadSize: 8, ContextLength: 128);

    /// <summary>For benchmarks, written at run time: about 25M weights (100 MB), a few milliseconds a token on a CPU core.</summary>
    public static readonly DecoderDimensions Large = new(Layers: 8, Heads: 8, HeadSize: 64, ContextLength: 1024);

    public int HiddenSize => Heads * HeadSize;

    public int MlpSize => 4 * HiddenSize;
}
