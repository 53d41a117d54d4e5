package gh

import (
	"container/list"
	"sync"
)

// lruCache is an httpcache.Cache that holds at most max bytes of responses,
// dropping the least recently used first. httpcache's own memory cache
// grows without bound.
type lruCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // front: most recently used
	items map[string]*list.Element
}

type cacheItem struct {
	key  string
	resp []byte
}

func newLRUCache(maxBytes int) *lruCache {
	return &lruCache{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns a cached response.
func (c *lruCache) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheItem).resp, true
}

// Set caches a response; one larger than the whole cache is not kept.
func (c *lruCache) Set(key string, resp []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(key)
	if len(resp) > c.max {
		return
	}
	c.items[key] = c.order.PushFront(&cacheItem{key: key, resp: resp})
	c.size += len(resp)
	for c.size > c.max {
		c.remove(c.order.Back().Value.(*cacheItem).key)
	}
}

// Delete drops a cached response.
func (c *lruCache) Delete(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(key)
}

func (c *lruCache) remove(key string) {
	e, ok := c.items[key]
	if !ok {
		return
	}
	c.order.Remove(e)
	delete(c.items, key)
	c.size -= len(e.Value.(*cacheItem).resp)
}
