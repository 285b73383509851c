using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serverless.Core.Repository;

/// <summary>
/// Folders that hold a model.onnx but are not versions (<c>01</c>, <c>+3</c>, <c>latest</c>): ignored by listing and
/// serving alike, with one warning each, so a listing every refresh interval does not repeat it. Bounded by what the
/// repository holds, never by what callers ask for.
/// </summary>
public sealed class VersionFolderWarnings(ILogger logger)
{
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);

    public void Ignored(string model, string folder)
    {
        if (_warned.TryAdd($"{model}/{folder}", 0))
        {
            logger.LogWarning("Ignoring folder '{Folder}' of model {Model}: a version folder is a positive integer without leading zeros", folder, model);
        }
    }
}
