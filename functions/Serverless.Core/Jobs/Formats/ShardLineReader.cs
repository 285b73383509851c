namespace Serverless.Core.Jobs.Formats;

/// <summary>
/// The lines of one shard, streamed. A shard owns the lines that start inside its byte range [start, end), so the
/// planner never reads the input: when start &gt; 0 the stream begins one byte early and the partial line before the
/// first newline belongs to the previous shard (the Hadoop text-input rule). The last line may run past end.
/// </summary>
public sealed class ShardLineReader
{
    private const int MaxLineBytes = 16 * 1024 * 1024;
    private readonly Stream _stream;
    private readonly long _end;
    private byte[] _buffer = new byte[256 * 1024];
    private int _position;
    private int _length;
    private bool _eof;
    private bool _aligned;
    // File offset of _buffer[_position]: the start of the next line once aligned.
    private long _offset;
    private int _lineStart;
    private int _lineLength;

    /// <param name="stream">Positioned at <paramref name="start"/> - 1 when start &gt; 0, else at 0.</param>
    public ShardLineReader(Stream stream, long start, long end)
    {
        _stream = stream;
        _end = end;
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
        while (true)
        {
            var available = _buffer.AsSpan(_position, _length - _position);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0 || (_eof && available.Length > 0))
            {
                var length = newline >= 0 ? newline : available.Length;
                _lineStart = _position;
                _lineLength = length > 0 && available[length - 1] == '\r' ? length - 1 : length;
                var consumed = newline >= 0 ? newline + 1 : length;
                _position += consumed;
                _offset += consumed;
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

    /// <summary>The current line without its line ending; valid until the next <see cref="MoveNextAsync"/>.</summary>
    public ReadOnlySpan<byte> Line => _buffer.AsSpan(_lineStart, _lineLength);

    /// <summary>Reads more input, keeping the unread tail; false at the end of the stream.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return false;
        }
        var tail = _length - _position;
        if (tail == _buffer.Length)
        {
            if (_buffer.Length >= MaxLineBytes)
            {
                throw new InvalidDataException($"a line near byte {_offset} is longer than {MaxLineBytes} bytes");
            }
            Array.Resize(ref _buffer, _buffer.Length * 2);
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
