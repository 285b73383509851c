namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// The lines of one shard, streamed. A shard owns the lines that start inside its byte range [start, end), so the
/// planner never reads the input: when start &gt; 0 the stream begins one byte early and the partial line before the
/// first newline belongs to the previous shard (the Hadoop text-input rule). The last line may run past end.
/// A line longer than <see cref="MaxLineBytes"/> is skipped to its end and reported (<see cref="LineTooLong"/>), so
/// one such line costs its row, not the shard, and memory stays bounded.
/// </summary>
public sealed class ShardLineReader
{
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;
    private readonly Stream _stream;
    private readonly long _end;
    private byte[] _buffer;
    private int _position;
    private int _length;
    private bool _eof;
    private bool _aligned;
    // File offset of _buffer[_position]: the start of the next line once aligned.
    private long _offset;
    private int _lineStart;
    private int _lineLength;

    private bool _skipping;

    /// <param name="stream">Positioned at <paramref name="start"/> - 1 when start &gt; 0, else at 0.</param>
    public ShardLineReader(Stream stream, long start, long end, int maxLineBytes = DefaultMaxLineBytes)
    {
        _stream = stream;
        _end = end;
        MaxLineBytes = maxLineBytes;
        _buffer = new byte[Math.Min(256 * 1024, maxLineBytes + 1)];
        _offset = start > 0 ? start - 1 : 0;
        _aligned = start == 0;
    }

    /// <summary>Makes the next line of the shard available through <see cref="Line"/>; false when the shard has no more.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        while (!_aligned)
        {
            var newline = _buffer.AsSpan(_position, _length - _position).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                _position += newline + 1;
                _offset += newline + 1;
                _aligned = true;
            }
            else
            {
                _offset += _length - _position;
                _position = _length;
                if (!await FillAsync(cancellationToken))
                {
                    return false;
                }
            }
        }
        if (_offset >= _end)
        {
            return false;
        }
        LineTooLong = false;
        while (true)
        {
            var available = _buffer.AsSpan(_position, _length - _position);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0 || (_eof && (available.Length > 0 || _skipping)))
            {
                var length = newline >= 0 ? newline : available.Length;
                _lineStart = _position;
                _lineLength = length > 0 && available[length - 1] == '\r' ? length - 1 : length;
                var consumed = newline >= 0 ? newline + 1 : length;
                _position += consumed;
                _offset += consumed;
                if (_skipping)
                {
                    // The end of a line whose start was dropped: reported, without its content.
                    (_skipping, LineTooLong, _lineLength) = (false, true, 0);
                }
                return true;
            }
            if (_eof)
            {
                return false;
            }
            if (!await FillAsync(cancellationToken))
            {
                if (_position == _length)
                {
                    return false;
                }
            }
        }
    }

    /// <summary>The current line without its line ending; valid until the next <see cref="MoveNextAsync"/>. Empty when <see cref="LineTooLong"/>.</summary>
    public ReadOnlySpan<byte> Line => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>The current line was longer than <see cref="MaxLineBytes"/>: it was read past, not kept.</summary>
    public bool LineTooLong { get; private set; }

    public int MaxLineBytes { get; }

    /// <summary>Reads more input, keeping the unread tail; false at the end of the stream.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return false;
        }
        var tail = _length - _position;
        if (tail == _buffer.Length && _buffer.Length > MaxLineBytes)
        {
            // Longer than any line we keep: drop what there is of it and read on to its end.
            _offset += tail;
            _position = _length = tail = 0;
            _skipping = true;
        }
        else if (tail == _buffer.Length)
        {
            // Room for the longest line we keep and its newline, and no more.
            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxLineBytes + 1));
        }
        else if (_position > 0)
        {
            _buffer.AsSpan(_position, tail).CopyTo(_buffer);
        }
        _position = 0;
        _length = tail;
        var read = await _stream.ReadAsync(_buffer.AsMemory(_length), cancellationToken);
        if (read == 0)
        {
            _eof = true;
            return false;
        }
        _length += read;
        return true;
    }
}
