using System.ComponentModel.DataAnnotations;

namespace Serverless.Core.Infrastructure.Storage;

/// <summary>Configuration section <c>Storage</c>: local state (model cache, embedded databases, job files).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Survives restarts so cached models are not downloaded again. Default: a per-user data folder.</summary>
    [Required(ErrorMessage = "Storage:DataDirectory must name a folder.")]
    public string DataDirectory { get; set; } = DefaultDataDirectory();

    public string ModelCacheDirectory => Path.Combine(DataDirectory, "model-cache");

    private static string DefaultDataDirectory()
    {
        var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        return Path.Combine(string.IsNullOrEmpty(root) ? Path.GetTempPath() : root, "serverless");
    }
}

/// <summary><see cref="StorageOptions"/>'s annotations, checked by code generated at build time (why: the app's Hosting/ValidatedOptions).</summary>
[Microsoft.Extensions.Options.OptionsValidator]
public sealed partial class StorageOptionsValidator : Microsoft.Extensions.Options.IValidateOptions<StorageOptions>;
