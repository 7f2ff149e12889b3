// Kubernetes' rules for names, label keys and values (apimachinery's util/validation), in the API server's words: the
// plan checks every name it makes before anything is written, and options/ checks the ones typed on the command line.

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelName = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Why `name` is not a valid DNS-1035 label (what Service names must be), or undefined when it is. */
export function dns1035Problem(name: string): string | undefined {
  if (name.length > 63) return 'must be no more than 63 characters';
  if (!dns1035Label.test(name))
    return "must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
  return undefined;
}

/** Why `name` is not a DNS subdomain (RFC 1123: what ConfigMap names and DNS host names must be), or undefined. */
export function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253) return 'must be no more than 253 characters';
  if (!name.split('.').every((part) => dns1123Label.test(part))) return 'must be a lowercase DNS subdomain';
  return undefined;
}

/** Label and annotation keys: `[prefix/]name`. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a qualified name has at most one "/"';
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (prefix !== undefined) {
    const p = dnsSubdomainProblem(prefix);
    if (p) return `prefix ${p}`;
  }
  if (!name || name.length > 63 || !labelName.test(name)) {
    return "name part must be 1-63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric character";
  }
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !labelName.test(value))
    return "must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric character";
  return undefined;
}
