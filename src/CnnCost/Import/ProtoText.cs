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

    /// <summary>
    /// Parses protocol-buffer text, handing each top-level field to <paramref name="keep"/> as soon as it is read:
    /// the returned message holds only the fields it keeps, so a caller can consume a million top-level messages one
    /// by one instead of holding them all. Errors are those of <see cref="Parse"/>.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="file">The file name for messages.</param>
    /// <param name="keep">Called with each top-level field in file order; true keeps it in the result.</param>
    /// <returns>The top-level message with the fields kept.</returns>
    internal static ProtoTextMessage ParseTopLevel(string text, string file, Func<ProtoTextField, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var reader = new Reader(text, file) { Keep = keep };
        return reader.ReadMessage(depth: 0, closing: false, startLine: 1);
    }

    /// <summary>A single-pass reader over the text; every error names the line it is on.</summary>
    private sealed class Reader(string text, string file)
    {
        /// <summary>Strings up to this length are looked up in <see cref="_recent"/> before a new one is made.</summary>
        private const int MaxSharedLength = 32;

        /// <summary>
        /// Recently read short strings, by a hash of their text (a direct-mapped cache): a file repeats its field names,
        /// its common values, and each blob name as a layer's top and the next layer's bottom; equal strings are shared.
        /// </summary>
        private readonly string?[] _recent = new string?[4096];
        private readonly List<List<ProtoTextField>> _scratch = [];
        private int _position;
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

        /// <summary>The text from <paramref name="start"/> to the position, shared with an equal recent string when short.</summary>
        private string Pooled(int start)
        {
            var length = _position - start;
            var span = text.AsSpan(start, length);
            if (length > MaxSharedLength)
            {
                return span.ToString();
            }

            var slot = string.GetHashCode(span) & (_recent.Length - 1);
            if (_recent[slot] is { } recent && span.SequenceEqual(recent))
            {
                return recent;
            }

            var value = span.ToString();
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
