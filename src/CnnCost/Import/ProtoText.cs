using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace CnnCost.Import;

/// <summary>One field of a protocol-buffer text message: a scalar value or a nested message, with its line.</summary>
/// <param name="Name">The field name.</param>
/// <param name="Value">The scalar value (string, number or enum identifier), or null for a message.</param>
/// <param name="Message">The nested message, or null for a scalar.</param>
/// <param name="Line">The 1-based line where the field starts.</param>
public sealed record ProtoTextField(string Name, string? Value, ProtoTextMessage? Message, int Line);

/// <summary>
/// A message in the protocol-buffer text format (Caffe's <c>.prototxt</c>): an ordered list of fields, which may
/// repeat. Read by <see cref="Parse"/>, which accepts only well-formed text and fails with a
/// <see cref="ModelFormatException"/> that names the line.
/// </summary>
/// <param name="Fields">The fields in file order.</param>
/// <param name="Line">The line where the message starts.</param>
public sealed record ProtoTextMessage(ImmutableArray<ProtoTextField> Fields, int Line)
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
        var reader = new Reader(text, file);
        var message = reader.ReadMessage(depth: 0, closing: false, startLine: 1);
        return message;
    }

    /// <summary>A single-pass reader over the text; every error names the line it is on.</summary>
    private sealed class Reader(string text, string file)
    {
        /// <summary>Short scalars kept for reuse: a file repeats its field names and most of its values.</summary>
        private const int MaxPooledLength = 24;

        /// <summary>How many distinct strings the pool keeps; a file's common words come early.</summary>
        private const int MaxPooledStrings = 4096;

        private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
        private readonly List<List<ProtoTextField>> _scratch = [];
        private int _position;
        private int _line = 1;

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

                var c = text[_position];
                if (c == '}')
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
                    fields.Add(new ProtoTextField(name, null, nested, line));
                }
                else if (!hasColon)
                {
                    throw Error($"expected ':' or '{{' after field '{name}'");
                }
                else
                {
                    fields.Add(new ProtoTextField(name, ReadScalar(), null, line));
                }

                SkipSpaceAndComments();
                if (Peek(';') || Peek(','))
                {
                    _position++;
                }
            }
        }

        private bool Peek(char c) => _position < text.Length && text[_position] == c;

        private string ReadIdentifier()
        {
            var start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '.'))
            {
                _position++;
            }

            if (_position == start)
            {
                throw Error($"expected a field name, found '{Printable(text[_position])}'");
            }

            return Pooled(start);
        }

        /// <summary>The text from <paramref name="start"/> to the position, shared with earlier equal strings when short.</summary>
        private string Pooled(int start)
        {
            var length = _position - start;
            if (length > MaxPooledLength)
            {
                return text.Substring(start, length);
            }

            var lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();
            var span = text.AsSpan(start, length);
            if (lookup.TryGetValue(span, out var pooled))
            {
                return pooled;
            }

            var value = span.ToString();
            if (_pool.Count < MaxPooledStrings)
            {
                _pool.Add(value, value);
            }

            return value;
        }

        private string ReadScalar()
        {
            if (_position >= text.Length)
            {
                throw Error("expected a value, found the end of the file");
            }

            var c = text[_position];
            if (c is '"' or '\'')
            {
                var first = ReadQuoted(c);
                SkipSpaceAndComments();
                if (!Peek(c))
                {
                    return first;
                }

                var value = new StringBuilder(first);
                do
                {
                    value.Append(ReadQuoted(c));
                    SkipSpaceAndComments();
                }
                while (_position < text.Length && text[_position] == c); // adjacent strings concatenate
                return value.ToString();
            }

            var start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '.' or '-' or '+'))
            {
                _position++;
            }

            if (_position == start)
            {
                throw Error($"expected a value, found '{Printable(c)}'");
            }

            return Pooled(start);
        }

        private string ReadQuoted(char quote)
        {
            _position++;

            // Most strings have no escapes: take them whole when the closing quote comes before any backslash or newline.
            var rest = text.AsSpan(_position);
            var end = quote == '"' ? rest.IndexOfAny('"', '\\', '\n') : rest.IndexOfAny('\'', '\\', '\n');
            if (end >= 0 && rest[end] == quote)
            {
                var start = _position;
                _position += end;
                var whole = Pooled(start);
                _position++;
                return whole;
            }

            var value = new StringBuilder();
            while (true)
            {
                if (_position >= text.Length || text[_position] == '\n')
                {
                    throw Error("a string is not closed on its line");
                }

                var c = text[_position++];
                if (c == quote)
                {
                    return value.ToString();
                }

                if (c == '\\' && _position < text.Length)
                {
                    var escaped = text[_position++];
                    value.Append(escaped switch { 'n' => '\n', 't' => '\t', _ => escaped });
                    continue;
                }

                value.Append(c);
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
                else if (char.IsWhiteSpace(c))
                {
                    _position++;
                }
                else if (c == '#')
                {
                    while (_position < text.Length && text[_position] != '\n')
                    {
                        _position++;
                    }
                }
                else
                {
                    return;
                }
            }
        }

        private ModelFormatException Error(string reason) => new(file, $"line {_line}", reason);

        private static string Printable(char c) =>
            char.IsControl(c) || c > '~' ? $"\\u{(int)c:x4}" : c.ToString(CultureInfo.InvariantCulture);
    }
}
