using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace CnnCost.Import;

/// <summary>One field of a protocol-buffer text message: a scalar value or a nested message, with its line.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Value">The scalar value (string, number or enum identifier), or null for a message.</param>
/// <param name="Message">The nested message, or null for a scalar.</param>
/// <param name="Line">The 1-based line where the field starts.</param>
internal sealed record ProtoTextField(string Name, string? Value, ProtoTextMessage? Message, int Line);

/// <summary>
/// A message in the protocol-buffer text format (Caffe's <c>.prototxt</c>): an ordered list of fields, which may
/// repeat. Read by <see cref="Parse(string, string)"/>, which accepts only well-formed text and fails with a
/// <see cref="ModelFormatException"/> that names the line.
/// </summary>
/// <param name="Fields">The fields in file order.</param>
/// <param name="Line">The line where the message starts.</param>
internal sealed record ProtoTextMessage(ImmutableArray<ProtoTextField> Fields, int Line)
{
    /// <summary>Nesting deeper than this is refused: no legitimate model file nests this far, and a hostile one could exhaust the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Every field called <paramref name="name"/>, in order.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The fields.</returns>
    public IEnumerable<ProtoTextField> All(string name)
    {
        // A loop, not LINQ: the importer asks this of every layer of files with a million of them.
        foreach (var field in Fields)
        {
            if (field.Name == name)
            {
                yield return field;
            }
        }
    }

    /// <summary>The last field called <paramref name="name"/> (protobuf's rule for a repeated singular field), or null.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The field or null.</returns>
    public ProtoTextField? Last(string name)
    {
        var fields = Fields;
        for (var i = fields.Length - 1; i >= 0; i--)
        {
            if (fields[i].Name == name)
            {
                return fields[i];
            }
        }

        return null;
    }

    /// <summary>Parses protocol-buffer text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="file">The file name for messages.</param>
    /// <returns>The top-level message.</returns>
    /// <exception cref="ModelFormatException">The text is malformed; the message names the line.</exception>
    public static ProtoTextMessage Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        return Parse(Encoding.UTF8.GetBytes(text), 0, file);
    }

    /// <summary>Parses protocol-buffer text in UTF-8, from <paramref name="start"/> (past a byte-order mark) to the end.</summary>
    internal static ProtoTextMessage Parse(byte[] utf8, int start, string file) =>
        new Reader(utf8, start, file).ReadMessage(depth: 0, closing: false, startLine: 1);

    /// <summary>
    /// Parses protocol-buffer text in UTF-8, handing each top-level field to <paramref name="keep"/> as soon as it is
    /// read: the returned message holds only the fields it keeps, so a caller can consume a million top-level messages
    /// one by one instead of holding them all. Errors are those of <see cref="Parse(string, string)"/>.
    /// </summary>
    /// <param name="utf8">The text's bytes.</param>
    /// <param name="start">Where the text starts (past a byte-order mark).</param>
    /// <param name="file">The file name for messages.</param>
    /// <param name="keep">Called with each top-level field in file order; true keeps it in the result.</param>
    /// <returns>The top-level message with the fields kept.</returns>
    internal static ProtoTextMessage ParseTopLevel(byte[] utf8, int start, string file, Func<ProtoTextField, bool> keep) =>
        new Reader(utf8, start, file) { Keep = keep }.ReadMessage(depth: 0, closing: false, startLine: 1);

    /// <summary>
    /// A single-pass reader over the UTF-8 bytes of the text; every error names the line it is on. The syntax is ASCII,
    /// so the bytes are read as they are and only names, values and strings are decoded: a file of 150 MB is never
    /// widened into a 300 MB string.
    /// </summary>
    private sealed class Reader(byte[] text, int start, string file)
    {
        /// <summary>Strings up to this length are looked up in <see cref="_recent"/> before a new one is made.</summary>
        private const int MaxSharedLength = 32;

        /// <summary>
        /// Recently read short strings, by a hash of their bytes (a direct-mapped cache): a file repeats its field names,
        /// its common values, and each blob name as a layer's top and the next layer's bottom; equal strings are shared.
        /// </summary>
        private readonly string?[] _recent = new string?[4096];
        private readonly List<List<ProtoTextField>> _scratch = [];
        private int _position = start;
        private int _line = 1;

        /// <summary>When set, decides for each top-level field whether the root message keeps it.</summary>
        public Func<ProtoTextField, bool>? Keep { get; init; }

        public ProtoTextMessage ReadMessage(int depth, bool closing, int startLine)
        {
            if (depth > MaxDepth)
            {
                throw Error($"messages nest more than {MaxDepth} deep");
            }

            // One reusable list per depth, so a message allocates only its final array.
            while (_scratch.Count <= depth)
            {
                _scratch.Add([]);
            }

            var fields = _scratch[depth];
            fields.Clear();
            while (true)
            {
                SkipSpaceAndComments();
                if (_position >= text.Length)
                {
                    if (closing)
                    {
                        throw new ModelFormatException(file, $"line {startLine}", "a '{' is never closed");
                    }

                    return new ProtoTextMessage([.. fields], startLine);
                }

                if (text[_position] == '}')
                {
                    if (!closing)
                    {
                        throw Error("unexpected '}'");
                    }

                    _position++;
                    return new ProtoTextMessage([.. fields], startLine);
                }

                var line = _line;
                var name = ReadIdentifier();
                SkipSpaceAndComments();
                var hasColon = Peek(':');
                if (hasColon)
                {
                    _position++;
                    SkipSpaceAndComments();
                }

                if (Peek('{') || Peek('<'))
                {
                    var close = text[_position] == '{';
                    _position++;
                    var nested = close ? ReadMessage(depth + 1, closing: true, line) : throw Error("'<' messages are not supported; use '{'");
                    Add(fields, new ProtoTextField(name, null, nested, line), depth);
                }
                else if (!hasColon)
                {
                    throw Error($"expected ':' or '{{' after field '{name}'");
                }
                else
                {
                    Add(fields, new ProtoTextField(name, ReadScalar(), null, line), depth);
                }

                SkipSpaceAndComments();
                if (Peek(';') || Peek(','))
                {
                    _position++;
                }
            }
        }

        private void Add(List<ProtoTextField> fields, ProtoTextField field, int depth)
        {
            if (depth > 0 || Keep is not { } keep || keep(field))
            {
                fields.Add(field);
            }
        }

        private bool Peek(char c) => _position < text.Length && text[_position] == c;

        private bool IsNameByte(int position) => position < text.Length && (char.IsAsciiLetterOrDigit((char)text[position]) || text[position] is (byte)'_' or (byte)'.');

        private string ReadIdentifier()
        {
            var first = _position;
            while (IsNameByte(_position))
            {
                _position++;
            }

            if (_position == first)
            {
                throw Error($"expected a field name, found '{Printable()}'");
            }

            return Pooled(first);
        }

        /// <summary>The text from <paramref name="first"/> to the position, shared with an equal recent string when short.</summary>
        private string Pooled(int first)
        {
            var span = text.AsSpan(first, _position - first);
            if (span.Length > MaxSharedLength)
            {
                return Encoding.UTF8.GetString(span);
            }

            // FNV-1a over at most 32 bytes.
            var hash = 2166136261u;
            foreach (var b in span)
            {
                hash = (hash ^ b) * 16777619u;
            }

            var slot = (int)(hash & (uint)(_recent.Length - 1));
            if (_recent[slot] is { } recent && Ascii.Equals(span, recent))
            {
                return recent;
            }

            var value = Encoding.UTF8.GetString(span);
            _recent[slot] = value;
            return value;
        }

        private string ReadScalar()
        {
            if (_position >= text.Length)
            {
                throw Error("expected a value, found the end of the file");
            }

            var c = text[_position];
            if (c is (byte)'"' or (byte)'\'')
            {
                var first = ReadQuoted(c);
                SkipSpaceAndComments();
                if (!Peek((char)c))
                {
                    return first;
                }

                var value = new StringBuilder(first);
                do
                {
                    value.Append(ReadQuoted(c));
                    SkipSpaceAndComments();
                }
                while (Peek((char)c)); // adjacent strings concatenate
                return value.ToString();
            }

            var begin = _position;
            while (IsNameByte(_position) || Peek('-') || Peek('+'))
            {
                _position++;
            }

            if (_position == begin)
            {
                throw Error($"expected a value, found '{Printable()}'");
            }

            return Pooled(begin);
        }

        private string ReadQuoted(byte quote)
        {
            _position++;

            // Most strings have no escapes: take them whole when the closing quote comes before any backslash or newline.
            var end = text.AsSpan(_position).IndexOfAny(quote, (byte)'\\', (byte)'\n');
            if (end >= 0 && text[_position + end] == quote)
            {
                var first = _position;
                _position += end;
                var whole = Pooled(first);
                _position++;
                return whole;
            }

            // Escapes: \n and \t, and any other byte stands for itself; the bytes are decoded once the string is closed.
            var value = new List<byte>();
            while (true)
            {
                if (_position >= text.Length || text[_position] == '\n')
                {
                    throw Error("a string is not closed on its line");
                }

                var c = text[_position++];
                if (c == quote)
                {
                    return Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(value));
                }

                if (c == '\\' && _position < text.Length)
                {
                    var escaped = text[_position++];
                    value.Add(escaped switch { (byte)'n' => (byte)'\n', (byte)'t' => (byte)'\t', _ => escaped });
                    continue;
                }

                value.Add(c);
            }
        }

        private void SkipSpaceAndComments()
        {
            while (_position < text.Length)
            {
                var c = text[_position];
                if (c == '\n')
                {
                    _line++;
                    _position++;
                }
                else if (c == '#')
                {
                    while (_position < text.Length && text[_position] != '\n')
                    {
                        _position++;
                    }
                }
                else if (c < 0x80 && char.IsWhiteSpace((char)c))
                {
                    _position++;
                }
                else if (c >= 0x80 && IsSpaceRune(out var length))
                {
                    _position += length;
                }
                else
                {
                    return;
                }
            }
        }

        /// <summary>Whether the character at the position, beyond ASCII, is white space (a no-break space, say).</summary>
        private bool IsSpaceRune(out int length)
        {
            Rune.DecodeFromUtf8(text.AsSpan(_position), out var rune, out length);
            return Rune.IsWhiteSpace(rune);
        }

        private ModelFormatException Error(string reason) => new(file, $"line {_line}", reason);

        /// <summary>The character at the position, escaped when it is not printable ASCII.</summary>
        private string Printable()
        {
            Rune.DecodeFromUtf8(text.AsSpan(_position), out var rune, out _);
            return Rune.IsControl(rune) || rune.Value > '~' ? $"\\u{rune.Value:x4}" : rune.ToString();
        }
    }
}
