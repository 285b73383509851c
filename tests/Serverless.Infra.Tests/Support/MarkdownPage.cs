using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Serverless.Infra.Tests.Support;

/// <summary>
/// One Markdown file of the repository, parsed as GitHub renders it: its links (code blocks and code spans hold none)
/// and the anchors its headings get.
/// </summary>
internal sealed class MarkdownPage
{
    // GitHub-style heading ids, so that a `page.md#some-heading` link is checked against the anchor GitHub makes.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .UsePipeTables()
        .Build();

    private readonly MarkdownDocument _document;

    private MarkdownPage(string path, string text)
    {
        Path = path;
        LineCount = text.Split('\n').Length - (text.EndsWith('\n') ? 1 : 0);
        _document = Markdown.Parse(text, Pipeline);
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    public int LineCount { get; }

    public static MarkdownPage Read(string path) => new(path, File.ReadAllText(path));

    /// <summary>Every link and image target as written, reference-style ones resolved.</summary>
    public IEnumerable<string> LinkTargets =>
        _document.Descendants<LinkInline>().Select(link => link.Url).OfType<string>();

    public IReadOnlySet<string> HeadingAnchors =>
        _document.Descendants<HeadingBlock>().Select(heading => heading.GetAttributes().Id).OfType<string>().ToHashSet(StringComparer.Ordinal);
}
