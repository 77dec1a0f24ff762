# checkscan.py FILE...: lists each check (lib.sh) of the test scripts whose
# command has a && or || at its top level: "check N [ A ] && [ B ]" checks A
# alone, B only sets the status.  Exit 1 when there is one.  Run by t_checks.
import re, sys
def top_ops(s):
    """Positions of && / || at the top level of a shell command: outside
    quotes, $( ) and ( ) (a $( ) inside double quotes is its own level)."""
    stack=['top'];i=0;found=[]
    while i<len(s):
        c=s[i];ctx=stack[-1]
        if ctx=="'":
            if c=="'": stack.pop()
            i+=1; continue
        if c=='\\': i+=2; continue
        if ctx=='"':
            if c=='"': stack.pop()
            elif s.startswith('$(',i): stack.append('(');i+=2;continue
            i+=1; continue
        # top or (
        if c=="'": stack.append("'")
        elif c=='"': stack.append('"')
        elif s.startswith('$(',i): stack.append('('); i+=2; continue
        elif c=='(': stack.append('(')
        elif c==')' and ctx=='(': stack.pop()
        elif c=='#' and (i==0 or s[i-1] in ' \t'):
            j=s.find('\n',i); i=len(s) if j<0 else j; continue
        elif ctx=='top' and (s.startswith('&&',i) or s.startswith('||',i)):
            found.append(i)
        i+=1
    return found
bad=0
for f in sys.argv[1:]:
    lines=open(f).read().split('\n')
    i=0
    while i<len(lines):
        l=lines[i]
        if re.match(r'^\s*(check|check_not|check_range|check_all) ',l):
            j=i; full=l
            while j+1<len(lines):
                st=full.rstrip()
                if st.endswith('\\'): j+=1; full=st[:-1]+' '+lines[j]; continue
                if st.endswith('&&') or st.endswith('||') or st.endswith('|'): j+=1; full=st+' '+lines[j]; continue
                break
            if top_ops(full):
                print("%s:%d: %s" % (f, i+1, full.strip()[:150])); bad+=1
            i=j+1; continue
        i+=1
sys.exit(1 if bad else 0)
