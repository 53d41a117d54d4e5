package gh

import (
	"strings"
	"testing"
)

func TestLRUCacheBoundsBytes(t *testing.T) {
	c := newLRUCache(10)
	c.Set("a", []byte("aaaa"))
	c.Set("b", []byte("bbbb"))
	if _, ok := c.Get("a"); !ok { // a is now the most recently used
		t.Fatal("a not cached")
	}
	c.Set("c", []byte("cccc")) // 12 bytes: b, the least recently used, goes
	if _, ok := c.Get("b"); ok {
		t.Error("b kept past the bound")
	}
	for _, k := range []string{"a", "c"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("%s dropped", k)
		}
	}
	c.Set("a", []byte("a")) // replacing shrinks
	if c.size != 5 {
		t.Errorf("size %d after replacing a, want 5", c.size)
	}
	c.Set("huge", []byte(strings.Repeat("x", 11)))
	if _, ok := c.Get("huge"); ok || c.size != 5 {
		t.Errorf("a response larger than the cache was kept (size %d)", c.size)
	}
	c.Delete("c")
	if _, ok := c.Get("c"); ok || c.size != 1 {
		t.Errorf("delete left c (size %d)", c.size)
	}
}
