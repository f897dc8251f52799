# Drives a program in a real pseudo-terminal for the terminal client's tests (test/integration/terminal.test.ts).
# argv: steps as JSON ([{ wait, count?, send }]), the executable, its one argument, the terminal's width.
# Each step waits until the output (ANSI taken out) contains `wait` (`count` times), then types `send`.
# A small terminal emulator (text, autowrap, CR, LF, cursor up/forward, erase below) keeps the screen.
# Prints JSON: output, screen (at the end), screens (when each step's text appeared), code (exit code), timeout.
import fcntl, json, os, pty, re, select, struct, sys, termios, time
steps, columns = json.loads(sys.argv[1]), int(sys.argv[4])
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], [sys.argv[2], sys.argv[3]])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 24, columns, 0, 0))
raw = b''
lines, row, col = [''], 0, 0
def put(ch):
    global row, col
    if col >= columns:
        row, col = row + 1, 0
    while len(lines) <= row:
        lines.append('')
    line = lines[row].ljust(col)
    lines[row] = line[:col] + ch + line[col + 1:]
    col += 1
def feed(text):
    global row, col, lines
    for m in re.finditer(r'\x1b\[([0-9;?]*)([A-Za-z])|([^\x1b])', text):
        if m.group(3) is not None:
            ch = m.group(3)
            if ch == '\r': col = 0
            elif ch == '\n':
                row += 1
                while len(lines) <= row: lines.append('')
            elif ch >= ' ': put(ch)
            continue
        n = int(m.group(1) or '1') if m.group(1) and m.group(1).isdigit() else 1
        if m.group(2) == 'A': row = max(0, row - n)
        elif m.group(2) == 'C': col = min(columns - 1, col + n)
        elif m.group(2) == 'J':
            lines[row] = lines[row][:col]
            del lines[row + 1:]
def text():
    return re.sub(r'\x1b\[[0-9;?]*[A-Za-z]', '', raw.decode('utf8', 'replace'))
def screen():
    shown = [line.rstrip() for line in lines]
    while shown and not shown[-1]: shown.pop()
    return shown
def pump(seconds):
    global raw
    r, _, _ = select.select([fd], [], [], seconds)
    if r:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        raw += chunk
        feed(chunk.decode('utf8', 'replace'))
    return True
screens = []
cursors = []
for step in steps:
    deadline = time.time() + 15
    while text().count(step['wait']) < step.get('count', 1):
        if time.time() > deadline or not pump(0.05):
            print(json.dumps({'output': text(), 'screen': screen(), 'screens': screens, 'cursors': cursors, 'code': None, 'timeout': step['wait']}))
            os.kill(pid, 9)
            sys.exit(0)
    while select.select([fd], [], [], 0.1)[0] and pump(0):
        pass
    screens.append(screen())
    cursors.append([row - (len(screen()) - 1), col])
    os.write(fd, step['send'].encode())
deadline = time.time() + 15
code = None
while time.time() < deadline:
    pump(0.05)
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        code = os.waitstatus_to_exitcode(status)
        break
while select.select([fd], [], [], 0.05)[0] and pump(0):
    pass
print(json.dumps({'output': text(), 'screen': screen(), 'screens': screens, 'cursors': cursors, 'code': code}))
