namespace Serverless.Core.Repository;

/// <summary>
/// A model version on local disk, ready to open: <paramref name="Path"/> is its model.onnx (absent in a generative model's folder, which names its own graph), which ONNX Runtime opens by
/// path so that external-data files resolve beside it. <paramref name="Length"/> is the whole version's size (model plus
/// external data and any other file it ships), what the memory budget counts. <paramref name="ContentId"/> changes when
/// any file's content does (ETags or sizes and times).
/// </summary>
public sealed record ModelFile(string Path, long Length, string ContentId, int FileCount = 1)
{
    /// <summary>The version folder, every file of the version below it (a text model's tokenizer, a generator's config).</summary>
    public string Directory => System.IO.Path.GetDirectoryName(Path)!;
}
