using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Serverless.Infra.Tests.Support;

/// <summary>
/// The native libraries of Microsoft.ML.OnnxRuntime.Gpu.Linux at the version Directory.Packages.props pins, read in
/// place from the NuGet cache (restore puts them there for the Gpu flavor), and what they link according to readelf.
/// </summary>
internal static partial class OnnxRuntimeGpuPackage
{
    public static string Version { get; } = XDocument.Load(Path.Combine(Repository.Root, "Directory.Packages.props"))
        .Descendants("PackageVersion").Single(p => (string?)p.Attribute("Include") == "Microsoft.ML.OnnxRuntime.Gpu.Linux").Attribute("Version")!.Value;

    public static string NativeDirectory { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } cache ? cache : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        "microsoft.ml.onnxruntime.gpu.linux", Version, "runtimes", "linux-x64", "native");

    public static string CudaProvider => Path.Combine(NativeDirectory, "libonnxruntime_providers_cuda.so");

    /// <summary>Why the package cannot be read here, or null when it can.</summary>
    public static string? Unreadable { get; } =
        !File.Exists(CudaProvider) ? $"{CudaProvider} is not in the NuGet cache: restore the Gpu flavor first (dotnet build tests/Serverless.Tests -p:OnnxRuntimeFlavor=Gpu; .ci/run does)"
        : !OnPath("readelf") ? "readelf (binutils) is not installed"
        : null;

    [GeneratedRegex(@"\(NEEDED\)\s+Shared library: \[(?<name>[^\]]+)\]")]
    private static partial Regex NeededLine();

    /// <summary>The DT_NEEDED entries of <paramref name="library"/>: what the dynamic loader must find for it to load.</summary>
    public static IReadOnlyList<string> Needed(string library)
    {
        using var readelf = Process.Start(new ProcessStartInfo("readelf", ["-d", library]) { RedirectStandardOutput = true })!;
        var output = readelf.StandardOutput.ReadToEnd();
        readelf.WaitForExit();
        Assert.Equal(0, readelf.ExitCode);
        return NeededLine().Matches(output).Select(m => m.Groups["name"].Value).ToList();
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, tool)));
}
